package httpapi_test

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"
	"net/http"
	"strings"
	"testing"
)

func TestDocsAreGuarded(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, userID := a.user(t, "alice")

	for _, path := range []string{"/docs/openapi.json", "/docs/openapi.yaml", "/docs/code-table.json", "/docs"} {
		r := a.do(t, http.MethodGet, path, "", nil)
		expect(t, r, http.StatusUnauthorized, 2200)
		var login struct {
			Login string `json:"login"`
		}
		r.result(t, 0, &login)
		if login.Login != "/login?next="+strings.ReplaceAll(path, "/", "%2F") || r.env.Message != "LOGIN_REQUIRED" {
			t.Fatalf("login hint %s", r.body)
		}
		if r := a.do(t, http.MethodGet, path, key, nil); r.code != http.StatusOK {
			t.Fatalf("%s with key: %d", path, r.code)
		}
	}
	// A browser asking for the page goes to the login page, which is open.
	r := a.do(t, http.MethodGet, "/docs", "", nil, header("Accept", "text/html"))
	if r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/login?next=%2Fdocs" {
		t.Fatalf("docs redirect %d %v", r.code, r.hdr)
	}
	if r := a.do(t, http.MethodGet, "/login", "", nil); r.code != http.StatusOK || !strings.Contains(string(r.body), "<form") {
		t.Fatalf("login page %d", r.code)
	}

	r = a.do(t, http.MethodGet, "/docs/openapi.json", key, nil, header("X-Forwarded-Proto", "https"), header("X-Forwarded-Host", "wa.example.com"))
	var spec struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.OpenAPI != "3.0.3" || len(spec.Servers) != 1 || spec.Servers[0].URL != "https://wa.example.com" {
		t.Fatalf("spec header %s %v", spec.OpenAPI, spec.Servers)
	}
	if _, ok := spec.Paths["/api/v1/sandbox/sessions/{sessionId}/scan"]; !ok {
		t.Fatal("sandbox routes missing from the spec")
	}
	if strings.Contains(string(r.body), "problem+json") {
		t.Fatal("the spec still documents problem details")
	}

	r = a.do(t, http.MethodGet, "/docs/code-table.json", key, nil)
	var codes []struct {
		AppCode    int    `json:"app_code"`
		AppName    string `json:"app_name"`
		HTTPStatus int    `json:"http_status"`
		Category   string `json:"category"`
	}
	if err := json.Unmarshal(r.body, &codes); err != nil || len(codes) < 100 {
		t.Fatalf("code table %v %d", err, len(codes))
	}

	// Revoking the key behind a docs login ends it.
	r = a.do(t, http.MethodPost, "/api/auth/login", "", map[string]string{"username": "alice", "password": "password-alice"})
	c := docsCookieFrom(t, r)
	if r := a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)); r.code != http.StatusOK {
		t.Fatalf("cookie rejected: %d", r.code)
	}
	keys := a.do(t, http.MethodGet, "/api/v1/users/"+userID+"/keys", key, nil)
	for i := range keys.env.Results {
		var k struct{ ID, Name string }
		keys.result(t, i, &k)
		if k.Name == "login" {
			expect(t, a.do(t, http.MethodDelete, "/api/v1/users/"+userID+"/keys/"+k.ID, key, nil), http.StatusOK, 1000)
		}
	}
	expect(t, a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(c)), http.StatusUnauthorized, 2200)
	tampered := *c
	tampered.Value = strings.Replace(c.Value, ".", ".x", 1)
	expect(t, a.do(t, http.MethodGet, "/docs/code-table.json", "", nil, cookie(&tampered)), http.StatusUnauthorized, 2200)
}

// The served document is itself valid OpenAPI 3.0.3.
func TestServedSpecIsValid(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.do(t, http.MethodGet, "/docs/openapi.yaml", a.adminKey, nil)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
}

// The docs page loads the vendored renderer from this server, which serves it
// compressed and answers a revalidation with 304.
func TestDocsRendererIsServedFromTheBinary(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	page := a.do(t, http.MethodGet, "/docs", a.adminKey, nil)
	const src = "/docs/assets/vendor/scalar-api-reference.js"
	if page.code != http.StatusOK || !strings.Contains(string(page.body), `<script src="`+src+`">`) ||
		strings.Contains(string(page.body), "https://") {
		t.Fatalf("docs page %d %s", page.code, page.body)
	}
	r := a.do(t, http.MethodGet, src, "", nil)
	if r.code != http.StatusOK || !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(string(r.body), "createApiReference") || r.hdr.Get("ETag") == "" {
		t.Fatalf("renderer %d %v", r.code, r.hdr)
	}
	if again := a.do(t, http.MethodGet, src, "", nil, header("If-None-Match", r.hdr.Get("ETag"))); again.code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", again.code)
	}
	gz := a.do(t, http.MethodGet, src, "", nil, header("Accept-Encoding", "gzip"))
	if gz.hdr.Get("Content-Encoding") != "gzip" || len(gz.body) >= len(r.body)/2 {
		t.Fatalf("compressed: %v, %d of %d bytes", gz.hdr.Get("Content-Encoding"), len(gz.body), len(r.body))
	}
}
