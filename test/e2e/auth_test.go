package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// Issue 9: logout ends the login session (key and cookie), logins expire and do not
// pile up permanent keys, the login sends browsers back only to this site, session
// ids are path-safe and unique ignoring case, usernames too.
func TestAuthOnSQLite(t *testing.T) {
	t.Parallel()
	runAuth(t, startServer(t, map[string]string{"WAREST_LOGIN_TTL_MS": "3000"}))
}

func TestAuthOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runAuth(t, startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url),
		"WAREST_LOGIN_TTL_MS": "3000"}))
}

type loginAnswer struct {
	APIKey    string `json:"apiKey"`
	Username  string `json:"username"`
	ExpiresAt string `json:"expiresAt"`
	Redirect  string `json:"redirect"`
	cookie    *http.Cookie
}

// send makes a request with an optional key and cookie and returns status and body.
func (s *server) send(method, path, key string, c *http.Cookie, body any) (int, []byte, http.Header) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = strings.NewReader(string(j))
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-WAREST-API-KEY", key)
	}
	if c != nil {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header
}

func (s *server) login(name, password, next string) loginAnswer {
	s.t.Helper()
	status, raw, hdr := s.send("POST", "/api/auth/login", "", nil, map[string]string{"username": name, "password": password, "next": next})
	var out loginAnswer
	if status != 200 || json.Unmarshal(raw, &out) != nil || out.APIKey == "" {
		s.t.Fatalf("login %s: %d %s", name, status, raw)
	}
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		if c.Name == "WAREST_DOCS_SESSION" {
			out.cookie = c
		}
	}
	if out.cookie == nil {
		s.t.Fatalf("login %s set no docs cookie", name)
	}
	return out
}

// opens reports whether the key opens the API and the cookie the docs.
func (s *server) opens(l loginAnswer) (keyOK, cookieOK bool) {
	s.t.Helper()
	k, _, _ := s.send("GET", "/api/v1/session/list", l.APIKey, nil, nil)
	c, _, _ := s.send("GET", "/docs/openapi.json", "", l.cookie, nil)
	return k == 200, c == 200
}

func runAuth(t *testing.T, s *server) {
	_, key := newUser(t, s, "alice")

	// Logout by cookie ends the key of the same login too, and nothing else.
	first, second := s.login("alice", "alice-password", ""), s.login("alice", "alice-password", "")
	if k, c := s.opens(first); !k || !c {
		t.Fatalf("fresh login: key %v cookie %v", k, c)
	}
	if status, raw, _ := s.send("POST", "/api/auth/logout", "", first.cookie, nil); status != 200 || !strings.Contains(string(raw), `"ok":true`) {
		t.Fatalf("logout: %d %s", status, raw)
	}
	if k, c := s.opens(first); k || c {
		t.Fatalf("after logout: key works %v, cookie works %v", k, c)
	}
	if k, c := s.opens(second); !k || !c {
		t.Fatalf("logout ended another login: key %v cookie %v", k, c)
	}
	// Logout by key.
	if status, _, _ := s.send("POST", "/api/auth/logout", second.APIKey, nil, nil); status != 200 {
		t.Fatalf("logout by key: %d", status)
	}
	if k, c := s.opens(second); k || c {
		t.Fatalf("after logout by key: key works %v, cookie works %v", k, c)
	}

	// A login ends by itself after WAREST_LOGIN_TTL_MS, used or not.
	third := s.login("alice", "alice-password", "")
	exp, err := time.Parse(time.RFC3339, third.ExpiresAt)
	if err != nil || time.Until(exp) > 3*time.Second {
		t.Fatalf("expiresAt %q: %v", third.ExpiresAt, err)
	}
	if k, c := s.opens(third); !k || !c {
		t.Fatalf("fresh login: key %v cookie %v", k, c)
	}
	time.Sleep(time.Until(exp) + 100*time.Millisecond)
	if k, c := s.opens(third); k || c {
		t.Fatalf("after its end: key works %v, cookie works %v", k, c)
	}
	if status, _ := s.call("GET", "/api/v1/session/list", key, nil); status != 200 {
		t.Fatalf("alice's permanent key: %d", status)
	}

	// Logins leave no permanent keys, and the key list shows kind, end and last use.
	// (Eleven: with the others, alice stays under 20 logins per 10 minutes.)
	for range 11 {
		s.login("ALICE", "alice-password", "")
	}
	status, env := s.call("GET", "/api/v1/users", adminKey, nil)
	if status != 200 {
		t.Fatalf("list users: %d %+v", status, env)
	}
	var aliceID string
	for _, r := range env.Results {
		var u user
		_ = json.Unmarshal(r, &u)
		if u.Username == "alice" {
			aliceID = u.ID
		}
	}
	status, env = s.call("GET", "/api/v1/users/"+aliceID+"/keys", adminKey, nil)
	live, permanent := 0, 0
	for _, r := range env.Results {
		var k struct {
			Kind       string  `json:"kind"`
			ExpiresAt  *string `json:"expiresAt"`
			RevokedAt  *string `json:"revokedAt"`
			LastUsedAt *string `json:"lastUsedAt"`
		}
		_ = json.Unmarshal(r, &k)
		switch {
		case k.Kind == "api" && k.ExpiresAt == nil:
			permanent++
			if k.LastUsedAt == nil {
				t.Errorf("alice's key was used but shows no last use: %s", r)
			}
		case k.Kind == "login" && k.ExpiresAt != nil && k.RevokedAt == nil:
			live++
		case k.Kind != "login":
			t.Errorf("unexpected key %s", r)
		}
	}
	if status != 200 || permanent != 1 || live != 10 || len(env.Results) > 12 {
		t.Fatalf("%d keys: %d permanent, %d live logins (%d)", len(env.Results), permanent, live, status)
	}

	// The login gives back only paths on this site.
	for next, want := range map[string]string{"/docs/openapi.json": "/docs/openapi.json", "/\t/evil.example": "/docs",
		"//evil.example": "/docs", "/%2F%2Fevil.example": "/docs", "https://evil.example": "/docs"} {
		if got := s.login("alice", "alice-password", next).Redirect; got != want {
			t.Errorf("next %q: redirect %q, want %q", next, got, want)
		}
	}

	// Session ids: path-safe alphabet, unique ignoring case, looked up exactly.
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=alice1", key, nil); status != 202 {
		t.Fatalf("create alice1: %d %+v", status, env)
	}
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=ALICE1", key, nil); status != 409 || env.Code != 1102 {
		t.Fatalf("create ALICE1 after alice1: %d %+v", status, env)
	}
	if status, env := s.call("DELETE", "/api/v1/session/delete?sessionId=ALICE1", key, nil); status != 404 || env.Code != 1101 {
		t.Fatalf("delete ALICE1: %d %+v", status, env)
	}
	for _, id := range []string{".", "..", "-x"} {
		if status, env := s.call("GET", "/api/v1/session/create?sessionId="+id, key, nil); status != 400 || env.Code != 2002 {
			t.Fatalf("create %q: %d %+v", id, status, env)
		}
	}

	// Usernames: unique ignoring case, a login matches any case.
	if status, env := s.call("POST", "/api/v1/users", adminKey, map[string]any{"username": "Admin", "password": "password-x"}); status != 409 {
		t.Fatalf("create Admin: %d %+v", status, env)
	}
	if got := s.login("ADMIN", "admin-password-1", "").Username; got != "admin" {
		t.Fatalf("login as ADMIN: %q", got)
	}
}
