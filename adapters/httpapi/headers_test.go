package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/httpapi"
)

// Every response, whatever produced it (an operation, a refusal, an unknown route,
// a page), carries the security headers; the docs page alone may use inline styles.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	cases := []struct {
		name    string
		r       response
		docsCSP bool
	}{
		{"operation", a.do(t, http.MethodGet, "/api/v1/server/ping", "", nil), false},
		{"refusal", a.do(t, http.MethodGet, "/api/v1/session/list", "", nil), false},
		{"unknown route", a.do(t, http.MethodGet, "/nowhere", "", nil), false},
		{"login page", a.do(t, http.MethodGet, "/login", "", nil), false},
		{"docs page", a.do(t, http.MethodGet, "/docs", a.adminKey, nil), true},
		{"docs redirect", a.do(t, http.MethodGet, "/docs", "", nil, header("Accept", "text/html")), true},
	}
	for _, c := range cases {
		h := c.r.hdr
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", c.name, h)
		}
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "script-src 'self';", "img-src 'self' data:", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %q", c.name, csp, d)
			}
		}
		if inline := strings.Contains(csp, "'unsafe-inline'"); inline != c.docsCSP {
			t.Errorf("%s: inline styles allowed=%v in %q", c.name, inline, csp)
		}
		if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: CSP allows unsafe scripts: %q", c.name, csp)
		}
	}
}

func preflight(origin, headers string) reqOpt {
	return func(r *http.Request) {
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", http.MethodPost)
		r.Header.Set("Access-Control-Request-Headers", headers)
	}
}

func TestCORSAllowlist(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *httpapi.Config) { c.AllowedOrigins = []string{"https://app.example.com"} })

	// A preflight from an allowed origin (browsers list the headers sorted, in lower
	// case): the API-key headers, credentials, a day's cache.
	r := a.do(t, http.MethodOptions, "/api/v1/messages/send/text", "", nil,
		preflight("https://app.example.com", "content-type,idempotency-key,x-warest-api-key"))
	if r.code != http.StatusNoContent || r.hdr.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		r.hdr.Get("Access-Control-Allow-Credentials") != "true" || r.hdr.Get("Access-Control-Max-Age") != "86400" ||
		!strings.Contains(r.hdr.Get("Access-Control-Allow-Headers"), "x-warest-api-key") {
		t.Fatalf("allowed preflight: %d %v", r.code, r.hdr)
	}
	// Authorization too.
	r = a.do(t, http.MethodOptions, "/api/v1/session/list", "", nil, preflight("https://app.example.com", "authorization"))
	if r.hdr.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("authorization preflight: %v", r.hdr)
	}
	// Another origin gets no CORS headers, so its browser refuses the call.
	r = a.do(t, http.MethodOptions, "/api/v1/messages/send/text", "", nil, preflight("https://evil.example", "x-warest-api-key"))
	if r.hdr.Get("Access-Control-Allow-Origin") != "" || r.hdr.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("foreign preflight allowed: %v", r.hdr)
	}

	// The call itself: the origin is echoed and the limit headers are readable.
	r = a.do(t, http.MethodGet, "/api/v1/session/list", a.adminKey, nil, header("Origin", "https://app.example.com"))
	expect(t, r, http.StatusOK, 1000)
	if r.hdr.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(r.hdr.Get("Access-Control-Expose-Headers"), "Retry-After") ||
		!strings.Contains(r.hdr.Get("Access-Control-Expose-Headers"), "X-Ratelimit-Remaining") {
		t.Fatalf("actual request: %v", r.hdr)
	}
	r = a.do(t, http.MethodGet, "/api/v1/session/list", a.adminKey, nil, header("Origin", "https://evil.example"))
	if r.hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin allowed: %v", r.hdr)
	}
}

// "*" allows every origin as a literal "*", which browsers never combine with
// cookies; no allowlist means no cross-origin access at all.
func TestCORSAnyOriginAndNone(t *testing.T) {
	t.Parallel()
	any := newApp(t, func(c *httpapi.Config) { c.AllowedOrigins = []string{"*"} })
	r := any.do(t, http.MethodOptions, "/api/v1/session/list", "", nil, preflight("https://anywhere.example", "x-warest-api-key"))
	if r.code != http.StatusNoContent || r.hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("any origin: %d %v", r.code, r.hdr)
	}

	none := newApp(t)
	r = none.do(t, http.MethodOptions, "/api/v1/session/list", "", nil, preflight("https://anywhere.example", "x-warest-api-key"))
	if r.hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no allowlist, yet: %v", r.hdr)
	}
	r = none.do(t, http.MethodGet, "/api/v1/session/list", none.adminKey, nil, header("Origin", "https://anywhere.example"))
	expect(t, r, http.StatusOK, 1000)
	if r.hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no allowlist, yet: %v", r.hdr)
	}
}
