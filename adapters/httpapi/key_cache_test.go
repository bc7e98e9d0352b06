package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/warest-go/warest/application/access"
)

// API keys are cached; a revocation through this node's API takes effect at once,
// and one made elsewhere (another node, the database) within access.KeyTTL.
func TestAuth_RevokedKeysStopWorkingWithinTheCacheBound(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, userID := a.user(t, "alice")
	issue := func(name string) (plain, id string) {
		plain, k, err := a.cmd.Users.IssueKey(context.Background(), a.admin, userID, name)
		if err != nil {
			t.Fatal(err)
		}
		return plain, k.ID
	}
	list := func(key string) response { return a.do(t, http.MethodGet, "/api/v1/session/list", key, nil) }

	here, hereID := issue("revoked here")
	expect(t, list(here), http.StatusOK, 1000) // now cached
	expect(t, a.do(t, http.MethodDelete, "/api/v1/users/"+userID+"/keys/"+hereID, a.adminKey, nil), http.StatusOK, 1000)
	if r := list(here); r.code != http.StatusUnauthorized {
		t.Fatalf("a key revoked through this node: HTTP %d, want 401 at once", r.code)
	}

	elsewhere, elsewhereID := issue("revoked elsewhere")
	expect(t, list(elsewhere), http.StatusOK, 1000)
	if err := a.store.APIKeys().Revoke(context.Background(), elsewhereID, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(access.KeyTTL)
	if r := list(elsewhere); r.code != http.StatusUnauthorized {
		t.Fatalf("a key revoked in the database %v ago: HTTP %d, want 401", access.KeyTTL, r.code)
	}
}
