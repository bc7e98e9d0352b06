package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/httpapi"
)

// The dashboard calls the API with the login cookie and X-WAREST-CSRF, which
// another site cannot add; without the header the cookie counts for nothing. The
// cookie's user keeps their role, and logging out ends the cookie's access.
func TestTheLoginCookieOpensTheAPIWithTheCSRFHeader(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	aliceKey, _ := a.user(t, "alice")
	_, c := a.login(t, "alice", "password-alice")
	csrf := header("X-WAREST-CSRF", "1")

	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c), csrf), http.StatusOK, 1000)
	// Without the header the cookie counts for nothing, on GET too: some WAREST GET routes change state.
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=shop", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
	if r := a.do(t, http.MethodGet, "/api/v1/session/list", aliceKey, nil); string(r.env.Results[0]) != `{"items":[]}` {
		t.Fatalf("a refused create made a session: %s", r.body)
	}
	var me struct{ Username, Role string }
	r := a.do(t, http.MethodGet, "/api/auth/me", "", nil, cookie(c), csrf)
	if r.result(t, 0, &me); me.Username != "alice" || me.Role != "user" {
		t.Fatalf("me: %s", r.body)
	}
	// The cookie carries alice's role, not more.
	expect(t, a.do(t, http.MethodGet, "/api/v1/users", "", nil, cookie(c), csrf), http.StatusForbidden, 2201)
	// A key sent wins over the cookie, even an invalid one.
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", "wst_not_a_key", nil, cookie(c), csrf), http.StatusUnauthorized, 2204)

	expect(t, a.do(t, http.MethodGet, "/api/v1/events/stream", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s := a.do(t, http.MethodGet, "/api/v1/events/stream", "", nil, cookie(c), csrf, func(r *http.Request) { *r = *r.WithContext(ctx) })
	if s.code != http.StatusOK || s.hdr.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream with the cookie: %d %q %s", s.code, s.hdr.Get("Content-Type"), s.body)
	}

	if r := a.do(t, http.MethodPost, "/api/auth/logout", "", nil, cookie(c)); r.code != http.StatusOK {
		t.Fatalf("logout: %d %s", r.code, r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c), csrf), http.StatusUnauthorized, 2204)
}

// A login cookie holds wherever the key that signed it is used: another handler
// built with the same key (the same gateway after a restart, or another node)
// accepts it, one built with another key does not.
func TestTheLoginCookieHoldsWhereverTheSameKeySignsIt(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *httpapi.Config) { c.CookieSecret = []byte("key one") })
	a.user(t, "alice")
	_, c := a.login(t, "alice", "password-alice")
	csrf := header("X-WAREST-CSRF", "1")
	handlerWith := func(secret string) *testApp {
		b := *a
		b.h = httpapi.NewHandler(httpapi.Deps{Commands: a.cmd, Queries: a.q, Log: slog.New(slog.DiscardHandler),
			Config: httpapi.Config{CookieSecret: []byte(secret)}})
		return &b
	}

	same := handlerWith("key one")
	expect(t, same.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c), csrf), http.StatusOK, 1000)
	if r := same.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)); r.code != http.StatusOK {
		t.Fatalf("docs with the cookie on a handler with the same key: %d %s", r.code, r.body)
	}
	other := handlerWith("key two")
	expect(t, other.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c), csrf), http.StatusUnauthorized, 2200)
	expect(t, other.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
}
