package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAdminManagesUsersAndKeys(t *testing.T) {
	t.Parallel()
	a := newApp(t)

	r := a.do(t, http.MethodPost, "/api/v1/users", a.adminKey, map[string]string{"username": "carol", "password": "carol-password"})
	expect(t, r, http.StatusCreated, 1000)
	var user struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Role     string `json:"role"`
		Registry string `json:"registry"`
	}
	r.result(t, 0, &user)
	if user.Username != "carol" || user.Role != "user" || len(user.Registry) != 10 {
		t.Fatalf("created %s", r.body)
	}
	expect(t, a.do(t, http.MethodPost, "/api/v1/users", a.adminKey, map[string]string{"username": "carol", "password": "carol-password"}),
		http.StatusConflict, 2004)
	expect(t, a.do(t, http.MethodPost, "/api/v1/users", a.adminKey, map[string]string{"username": "dave", "password": "short"}),
		http.StatusBadRequest, 2002)

	r = a.do(t, http.MethodGet, "/api/v1/users", a.adminKey, nil)
	expect(t, r, http.StatusOK, 1000)
	if len(r.env.Results) != 2 || strings.Contains(strings.ToLower(string(r.body)), "hash") || strings.Contains(string(r.body), "pbkdf2") {
		t.Fatalf("users %s", r.body)
	}

	r = a.do(t, http.MethodPost, "/api/v1/users/"+user.ID+"/keys", a.adminKey, map[string]string{"name": "n8n"})
	expect(t, r, http.StatusCreated, 1000)
	var issued struct {
		ID, Name, Prefix, Key, CreatedAt string
	}
	r.result(t, 0, &issued)
	if !strings.HasPrefix(issued.Key, issued.Prefix) || issued.Name != "n8n" || issued.CreatedAt == "" {
		t.Fatalf("issued %s", r.body)
	}
	carol := issued.Key

	// Carol manages her own keys, not the admin's.
	r = a.do(t, http.MethodGet, "/api/v1/users/"+user.ID+"/keys", carol, nil)
	expect(t, r, http.StatusOK, 1000)
	if strings.Contains(string(r.body), carol) || strings.Contains(strings.ToLower(string(r.body)), "hash") {
		t.Fatalf("key listing leaks the key or its hash: %s", r.body)
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/users/"+a.admin.User.ID+"/keys", carol, nil), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodPost, "/api/v1/users", carol, map[string]string{"username": "eve", "password": "eve-password"}),
		http.StatusForbidden, 2201)
	r = a.do(t, http.MethodPost, "/api/v1/users/"+user.ID+"/keys", carol, nil)
	expect(t, r, http.StatusCreated, 1000)
	var second struct{ ID, Key string }
	r.result(t, 0, &second)

	expect(t, a.do(t, http.MethodDelete, "/api/v1/users/"+user.ID+"/keys/"+issued.ID, carol, nil), http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", carol, nil), http.StatusUnauthorized, 2204)
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", second.Key, nil), http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodDelete, "/api/v1/users/"+user.ID+"/keys/nope", second.Key, nil), http.StatusNotFound, 2600)
}

func TestLoginKeepsOtherKeysAndSetsDocsCookie(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")

	r := a.do(t, http.MethodPost, "/api/auth/login", "", map[string]string{"username": "alice", "password": "password-alice"})
	if r.code != http.StatusOK {
		t.Fatalf("login %d %s", r.code, r.body)
	}
	var login struct {
		APIKey   string `json:"apiKey"`
		Role     string `json:"role"`
		IsAdmin  bool   `json:"isAdmin"`
		Username string `json:"username"`
		Registry string `json:"registry"`
	}
	if err := json.Unmarshal(r.body, &login); err != nil || login.APIKey == "" || login.Role != "user" || login.IsAdmin ||
		login.Username != "alice" || login.Registry == "" {
		t.Fatalf("login body %s (%v)", r.body, err)
	}
	c := docsCookieFrom(t, r)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || strings.Contains(c.Value, login.APIKey) || strings.Contains(c.Value, key) {
		t.Fatalf("docs cookie %+v", c)
	}
	// Both the old key and the login key work.
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", key, nil), http.StatusOK, 1000)
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", login.APIKey, nil), http.StatusOK, 1000)
	// The cookie alone opens the docs, but not the API (the dashboard adds X-WAREST-CSRF).
	expect(t, a.do(t, http.MethodGet, "/api/v1/session/list", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
	if r := a.do(t, http.MethodGet, "/docs/openapi.json", "", nil, cookie(c)); r.code != http.StatusOK {
		t.Fatalf("docs with cookie: %d %s", r.code, r.body)
	}

	r = a.do(t, http.MethodPost, "/api/auth/login", "", map[string]string{"username": "alice", "password": "wrong-password"})
	expect(t, r, http.StatusUnauthorized, 2200)
	r = a.do(t, http.MethodPost, "/api/auth/login", "", map[string]string{"username": "nobody", "password": "wrong-password"})
	expect(t, r, http.StatusUnauthorized, 2200)

	r = a.do(t, http.MethodPost, "/api/auth/logout", "", nil)
	if cleared := docsCookieFrom(t, r); r.code != http.StatusOK || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Fatalf("logout %d %+v", r.code, cleared)
	}
}

func docsCookieFrom(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.hdr}).Cookies() {
		if c.Name == "WAREST_DOCS_SESSION" {
			return c
		}
	}
	t.Fatalf("no docs cookie in %v", r.hdr)
	return nil
}
