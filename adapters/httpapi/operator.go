package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Metrics is what the metrics adapter gives the API: the scrape handler, and a
// count of each served request.
type Metrics interface {
	Handler() http.Handler
	// Request counts a request by its route pattern, never its raw path.
	Request(route, method string, status int, took time.Duration)
}

// Tracer spans requests (adapters/tracing), continuing the caller's trace when
// the request carries one (W3C traceparent).
type Tracer interface {
	ports.Tracer
	// Continue returns ctx joined to the trace the headers name, if any.
	Continue(ctx context.Context, h http.Header) context.Context
}

// unmatchedRoute labels requests no route matched, so scanners cannot grow the labels.
const unmatchedRoute = "unmatched"

// probeTimeout bounds readiness's database ping: an orchestrator's probe times out too.
const probeTimeout = 2 * time.Second

// mountOperator adds the orchestrators' probes and the metrics scrape. They live
// outside huma: they take no API key and count against no rate limit or quota.
func (h *handlers) mountOperator(r chi.Router) {
	r.Get("/livez", h.livez)
	r.Get("/readyz", h.readyz)
	if h.metrics != nil {
		r.Get("/metrics", h.metricsGuard(h.metrics.Handler()).ServeHTTP)
	}
}

type probeResult struct {
	Ready        bool `json:"ready"`
	Database     bool `json:"database"`
	ShuttingDown bool `json:"shuttingDown"`
}

// livez says the process serves HTTP; it checks nothing else, so a slow database
// never gets the gateway restarted.
func (h *handlers) livez(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, success("alive", struct{}{}).Body)
}

// readyz says whether to send traffic here: the store answers and the gateway is
// not shutting down. It listens only once the store has opened and migrated, so
// while migrations run the probe finds no server, which also reads as not ready.
func (h *handlers) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	res := probeResult{ShuttingDown: h.streams.closed()}
	hl := h.q.System.Health(ctx)
	res.Database = hl.Err == nil
	res.Ready = res.Database && !res.ShuttingDown
	if !res.Ready {
		if hl.Err != nil {
			loggerFrom(r.Context()).WarnContext(r.Context(), "not ready: database check failed", "err", hl.Err)
		}
		rule := kindRules[fault.KindUnavailable]
		writeJSON(w, rule.status, reply(rule.status, rule.code, "Not ready", res).Body)
		return
	}
	writeJSON(w, http.StatusOK, success("Ready", res).Body)
}

// metricsGuard asks for the bearer token when one is configured.
func (h *handlers) metricsGuard(next http.Handler) http.Handler {
	if h.cfg.MetricsToken == "" {
		return next
	}
	want := []byte(h.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeError(w, fromStatus(http.StatusUnauthorized, "Metrics need Authorization: Bearer <WAREST_METRICS_TOKEN>"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routeOf is the pattern chi matched for r, once it has been served.
func routeOf(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" {
			return p
		}
	}
	return unmatchedRoute
}
