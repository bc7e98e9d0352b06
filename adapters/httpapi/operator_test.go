package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/ports"
)

// recorder is the metrics and the tracer the API reports to; it records what it heard.
type recorder struct {
	mu       sync.Mutex
	requests []string // "route method status"
	spans    []string // "name: attrs"
	parents  []string // the traceparent each request came with
}

func (r *recorder) Continue(ctx context.Context, h http.Header) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.parents = append(r.parents, h.Get("traceparent"))
	return ctx
}

func (r *recorder) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("scraped")) })
}

func (r *recorder) Request(route, method string, status int, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, route+" "+method+" "+http.StatusText(status))
}

func (r *recorder) Start(ctx context.Context, name string, attrs ...string) (context.Context, ports.Span) {
	return ctx, recordedSpan{r, name + ": " + strings.Join(attrs, " ")}
}

type recordedSpan struct {
	r     *recorder
	start string
}

func (s recordedSpan) End(err error, attrs ...string) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	failed := ""
	if err != nil {
		failed = " failed"
	}
	s.r.spans = append(s.r.spans, s.start+" "+strings.Join(attrs, " ")+failed)
}

func (r *recorder) seen() ([]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...), append([]string(nil), r.spans...)
}

func observed(t *testing.T, token string) (*testApp, *recorder, *httpapi.Handler) {
	t.Helper()
	a := newApp(t)
	rec := &recorder{}
	h := httpapi.NewHandler(httpapi.Deps{Commands: a.cmd, Queries: a.q, Metrics: rec, Tracer: rec,
		Config: httpapi.Config{MetricsToken: token}})
	return a, rec, h
}

func serve(h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// Requests are counted and traced by their route pattern, never their raw path,
// and paths no route matches share one label.
func TestRequestsAreCountedAndTracedByRoutePattern(t *testing.T) {
	t.Parallel()
	a, rec, h := observed(t, "")
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	serve(h, http.MethodGet, "/api/v1/messages/m-1/status", "X-WAREST-API-KEY", a.adminKey, "traceparent", parent)
	serve(h, http.MethodGet, "/api/v1/messages/m-2/status", "X-WAREST-API-KEY", a.adminKey)
	serve(h, http.MethodGet, "/wp-admin/../etc/passwd")
	requests, spans := rec.seen()
	want := []string{"/api/v1/messages/{messageId}/status GET Bad Request", "/api/v1/messages/{messageId}/status GET Bad Request",
		"unmatched GET Not Found"}
	if strings.Join(requests, "|") != strings.Join(want, "|") {
		t.Fatalf("counted %q, want %q", requests, want)
	}
	if len(spans) != 3 || spans[0] != "HTTP GET: http.request.method GET http.route /api/v1/messages/{messageId}/status http.response.status_code 400" {
		t.Fatalf("spans %q", spans)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.parents) != 3 || rec.parents[0] != parent || rec.parents[1] != "" {
		t.Fatalf("the caller's traces handed on: %q", rec.parents)
	}
}

// The probes and /metrics need no API key; /metrics asks for its bearer token
// when one is set, and refuses others in the WAREST envelope.
func TestProbesAndMetricsTakeNoAPIKey(t *testing.T) {
	t.Parallel()
	_, _, h := observed(t, "scrape-token")
	for _, path := range []string{"/livez", "/readyz"} {
		if w := serve(h, http.MethodGet, path); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"status":true`) {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	if w := serve(h, http.MethodGet, "/readyz"); !strings.Contains(w.Body.String(), `"ready":true,"database":true,"shuttingDown":false`) {
		t.Errorf("readyz: %s", w.Body)
	}
	for _, auth := range []string{"", "Bearer wrong", "Basic scrape-token"} {
		w := serve(h, http.MethodGet, "/metrics", "Authorization", auth)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"code":2200`) {
			t.Errorf("metrics with %q: %d %s", auth, w.Code, w.Body)
		}
	}
	if w := serve(h, http.MethodGet, "/metrics", "Authorization", "Bearer scrape-token"); w.Code != http.StatusOK || w.Body.String() != "scraped" {
		t.Errorf("metrics with the token: %d %s", w.Code, w.Body)
	}
}

// Once the server shuts down (its streams closed), readiness turns false so the
// orchestrator stops sending traffic here.
func TestNotReadyWhileShuttingDown(t *testing.T) {
	t.Parallel()
	_, _, h := observed(t, "")
	h.CloseStreams()
	w := serve(h, http.MethodGet, "/readyz")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"shuttingDown":true`) {
		t.Fatalf("readyz while shutting down: %d %s", w.Code, w.Body)
	}
}
