package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
)

type loginBody struct {
	APIKey    string `json:"apiKey"`
	Username  string `json:"username"`
	ExpiresAt string `json:"expiresAt"`
	Redirect  string `json:"redirect"`
}

// login logs in as name and returns the body and the docs cookie.
func (a *testApp) login(t *testing.T, name, password string, extra ...map[string]string) (loginBody, *http.Cookie) {
	t.Helper()
	body := map[string]string{"username": name, "password": password}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	r := a.do(t, http.MethodPost, "/api/auth/login", "", body)
	var out loginBody
	if r.code != http.StatusOK || json.Unmarshal(r.body, &out) != nil || out.APIKey == "" {
		t.Fatalf("login %s: %d %s", name, r.code, r.body)
	}
	return out, docsCookieFrom(t, r)
}

// keyDTO is a listed key.
type keyDTO struct {
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	ExpiresAt  *string `json:"expiresAt"`
	RevokedAt  *string `json:"revokedAt"`
	LastUsedAt *string `json:"lastUsedAt"`
}

func (a *testApp) keys(t *testing.T, userID string) []keyDTO {
	t.Helper()
	r := a.do(t, http.MethodGet, "/api/v1/users/"+userID+"/keys", a.adminKey, nil)
	expect(t, r, http.StatusOK, 1000)
	out := make([]keyDTO, len(r.env.Results))
	for i := range out {
		r.result(t, i, &out[i])
	}
	return out
}

// works reports whether key opens the API and cookie opens the docs.
func (a *testApp) works(t *testing.T, key string, c *http.Cookie) (keyOK, cookieOK bool) {
	t.Helper()
	return a.do(t, http.MethodGet, "/api/v1/session/list", key, nil).code == http.StatusOK,
		a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)).code == http.StatusOK
}

func TestLogoutEndsTheLoginSessionOfTheKeyOrCookieSent(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	permanent, _ := a.user(t, "alice")
	for name, send := range map[string]func(key string, c *http.Cookie) response{
		"the key": func(key string, _ *http.Cookie) response {
			return a.do(t, http.MethodPost, "/api/auth/logout", key, nil)
		},
		"the cookie": func(_ string, c *http.Cookie) response {
			return a.do(t, http.MethodPost, "/api/auth/logout", "", nil, cookie(c))
		},
		"both": func(key string, c *http.Cookie) response {
			return a.do(t, http.MethodPost, "/api/auth/logout", "", nil, header("Authorization", "Bearer "+key), cookie(c))
		},
	} {
		t.Run("by "+name, func(t *testing.T) {
			login, c := a.login(t, "alice", "password-alice")
			other, otherCookie := a.login(t, "alice", "password-alice")
			if keyOK, cookieOK := a.works(t, login.APIKey, c); !keyOK || !cookieOK {
				t.Fatalf("before logout: key works %v, cookie works %v", keyOK, cookieOK)
			}
			r := send(login.APIKey, c)
			if cleared := docsCookieFrom(t, r); r.code != http.StatusOK || cleared.MaxAge >= 0 || strings.TrimSpace(string(r.body)) != `{"ok":true}` {
				t.Fatalf("logout %d %s %+v", r.code, r.body, cleared)
			}
			expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", login.APIKey, nil), http.StatusUnauthorized, 2204)
			expect(t, a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
			if keyOK, cookieOK := a.works(t, other.APIKey, otherCookie); !keyOK || !cookieOK {
				t.Fatalf("another login of alice ended too: key works %v, cookie works %v", keyOK, cookieOK)
			}
		})
	}
	// A permanent key sent to logout stays valid: keys are revoked through the keys API.
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", permanent, nil), http.StatusOK, 1000)
	if r := a.do(t, http.MethodPost, "/api/auth/logout", permanent, nil); r.code != http.StatusOK {
		t.Fatalf("logout with a permanent key: %d %s", r.code, r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", permanent, nil), http.StatusOK, 1000)
	// Nothing or garbage sent: nothing ends, the answer is still ok.
	for _, key := range []string{"", "wst_not_a_key"} {
		if r := a.do(t, http.MethodPost, "/api/auth/logout", key, nil, cookie(&http.Cookie{Name: "WAREST_DOCS_SESSION", Value: "a.b.c.d"})); r.code != http.StatusOK {
			t.Fatalf("logout with %q: %d %s", key, r.code, r.body)
		}
	}
}

func TestLoginSessionsExpire(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Limits.Cooldown, c.LoginTTL = 0, time.Hour })
	a.user(t, "alice")
	login, c := a.login(t, "alice", "password-alice")
	exp, err := time.Parse(time.RFC3339, login.ExpiresAt)
	if err != nil || exp.Sub(a.clock.Now()) > time.Hour || exp.Sub(a.clock.Now()) < 59*time.Minute {
		t.Fatalf("expiresAt %q (%v), want an hour from now", login.ExpiresAt, err)
	}
	if c.MaxAge != 3600 {
		t.Fatalf("docs cookie max age %d, want the session's 3600 s", c.MaxAge)
	}
	a.clock.Advance(59 * time.Minute)
	if keyOK, cookieOK := a.works(t, login.APIKey, c); !keyOK || !cookieOK {
		t.Fatalf("a minute before the end: key works %v, cookie works %v", keyOK, cookieOK)
	}
	a.clock.Advance(time.Minute) // using it did not extend it
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", login.APIKey, nil), http.StatusUnauthorized, 2204)
	expect(t, a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
}

func TestRepeatedLoginsDoNotAccumulateKeys(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, id := a.user(t, "alice")
	var last loginBody
	for range 15 {
		last, _ = a.login(t, "alice", "password-alice")
	}
	keys := a.keys(t, id)
	live, permanent := 0, 0
	for _, k := range keys {
		switch {
		case k.Kind == "api":
			permanent++
		case k.Kind == "login" && k.Name == "login" && k.ExpiresAt != nil && k.RevokedAt == nil:
			live++
		case k.Kind != "login":
			t.Fatalf("key of kind %q: %+v", k.Kind, k)
		}
	}
	// The one key a.user issued; ten live login sessions; at most one ended one
	// waiting for the next login to delete it.
	if permanent != 1 || live != 10 || len(keys) > 12 {
		t.Fatalf("%d keys: %d permanent, %d live login sessions", len(keys), permanent, live)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", last.APIKey, nil), http.StatusOK, 1000)
}

func TestKeysShowWhenTheyWereLastUsed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, id := a.user(t, "alice")
	lastUsed := func() *string {
		t.Helper()
		for _, k := range a.keys(t, id) {
			if k.Kind == "api" {
				return k.LastUsedAt
			}
		}
		t.Fatal("alice's key is not listed")
		return nil
	}
	if got := lastUsed(); got != nil {
		t.Fatalf("a key never used was last used at %s", *got)
	}
	use := func() { expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", key, nil), http.StatusOK, 1000) }
	use()
	first := lastUsed()
	if first == nil {
		t.Fatal("using the key did not record it")
	}
	at, _ := time.Parse(time.RFC3339, *first)
	if d := a.clock.Now().Sub(at); d < 0 || d > 10*time.Second {
		t.Fatalf("last used at %s, now is %v", *first, a.clock.Now())
	}
	// Uses within a minute are not written again...
	a.clock.Advance(30 * time.Second)
	use()
	if got := lastUsed(); *got != *first {
		t.Fatalf("a use 30 s later was written: %s, then %s", *first, *got)
	}
	// ...a use after it is.
	a.clock.Advance(31 * time.Second)
	use()
	if got := lastUsed(); *got <= *first {
		t.Fatalf("a use a minute later was not recorded: %s, then %s", *first, *got)
	}
	// A login session records its uses too, by key or by docs cookie.
	_, c := a.login(t, "alice", "password-alice")
	a.works(t, "", c)
	for _, k := range a.keys(t, id) {
		if k.Kind == "login" && k.LastUsedAt == nil {
			t.Fatalf("the docs cookie's use was not recorded: %+v", k)
		}
	}
}

func TestLoginGoesBackOnlyToPathsOnThisSite(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.user(t, "alice")
	for next, want := range map[string]string{
		"":                     "/docs",
		"/docs":                "/docs",
		"/docs/openapi.json":   "/docs/openapi.json",
		"/%09/evil.example":    "/docs",
		"/\t/evil.example":     "/docs", // what the login page sends for ?next=/%09/evil.example
		"//evil.example":       "/docs",
		"/\\evil.example":      "/docs",
		"https://evil.example": "/docs",
		"/%2F%2Fevil.example":  "/docs",
		"javascript:alert(1)":  "/docs",
	} {
		login, _ := a.login(t, "alice", "password-alice", map[string]string{"next": next})
		if login.Redirect != want {
			t.Errorf("next %q: redirect %q, want %q", next, login.Redirect, want)
		}
	}
	// The page the docs guard sends a browser to carries the guarded path, which the
	// login gives back.
	r := a.do(t, http.MethodGet, "/docs", "", nil, header("Accept", "text/html"))
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/login?next=%2Fdocs" {
		t.Fatalf("docs guard %d %s", r.code, r.hdr.Get("Location"))
	}
	if login, _ := a.login(t, "alice", "password-alice", map[string]string{"next": "/docs"}); login.Redirect != "/docs" {
		t.Fatalf("redirect %q", login.Redirect)
	}
}

func TestSessionIDsAndUsernamesAreUniqueIgnoringCase(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=alice1", key, nil), http.StatusAccepted, 1107)
	for _, id := range []string{"ALICE1", "Alice1"} {
		expect(t, a.do(t, http.MethodGet, "/api/v1/session/create?sessionId="+id, key, nil), http.StatusConflict, 1102)
		// Lookups match the exact id.
		expect(t, a.do(t, http.MethodDelete, "/api/v1/session/delete?sessionId="+id, key, nil), http.StatusNotFound, 1101)
	}
	r := a.do(t, http.MethodGet, "/api/v1/session/list", key, nil)
	expect(t, r, http.StatusOK, 1000)
	var listed struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if r.result(t, 0, &listed); len(listed.Items) != 1 || listed.Items[0].ID != "alice1" {
		t.Fatalf("sessions %s", r.body)
	}
	for _, id := range []string{".", "..", "-rf", "_x", "a/b"} {
		expect(t, a.do(t, http.MethodGet, "/api/v1/session/create?sessionId="+id, key, nil), http.StatusBadRequest, 2002)
	}

	expect(t, a.do(t, http.MethodPost, "/api/v1/users", a.adminKey, map[string]string{"username": "Admin", "password": "password-x"}),
		http.StatusConflict, 2004)
	expect(t, a.do(t, http.MethodPost, "/api/v1/users", a.adminKey, map[string]string{"username": "ALICE", "password": "password-x"}),
		http.StatusConflict, 2004)
	login, _ := a.login(t, "ADMIN", "admin-password")
	if login.Username != "admin" {
		t.Fatalf("login as ADMIN is %q, want the stored admin", login.Username)
	}
	r = a.do(t, http.MethodGet, "/api/v1/users", login.APIKey, nil)
	expect(t, r, http.StatusOK, 1000)
	if len(r.env.Results) != 2 {
		t.Fatalf("users %s", r.body)
	}
}
