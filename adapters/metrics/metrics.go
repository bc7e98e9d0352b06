// Package metrics is the Prometheus adapter (client_golang): it counts what the
// application reports through ports.Metrics and the HTTP requests the API serves,
// and reads state gauges (queues, sessions, dead letters, the database pool, the
// proxies) when scraped.
package metrics

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// Sources are where the scrape-time gauges come from; each may be nil.
type Sources struct {
	Stats   ports.StatsReader
	DBPool  func() sql.DBStats
	Proxies func() []proxy.Health
	Log     *slog.Logger
}

// Metrics implements ports.Metrics and serves the registry it fills.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	durations  *prometheus.HistogramVec
	accepted   prometheus.Counter
	sends      *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	lag        prometheus.Histogram
	flaps      prometheus.Counter
}

var _ ports.Metrics = (*Metrics)(nil)

// New registers WAREST's metrics, Go's and the process's on a registry of its own.
func New(src Sources) *Metrics {
	if src.Log == nil {
		src.Log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warest_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status."}, []string{"route", "method", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "warest_http_request_duration_seconds",
			Help: "Time to serve an HTTP request, by route pattern and method.", Buckets: prometheus.DefBuckets}, []string{"route", "method"}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "warest_sends_accepted_total",
			Help: "Messages accepted into the send queue."}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warest_sends_total",
			Help: "Queued messages that ended, by outcome (sent, failed)."}, []string{"outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "warest_webhook_deliveries_total",
			Help: "Webhook delivery attempts, by outcome (delivered, retry, dead)."}, []string{"outcome"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "warest_webhook_delivery_lag_seconds",
			Help:    "Time from scheduling an event's delivery to its receiver accepting it.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}}),
		flaps: prometheus.NewCounter(prometheus.CounterOpts{Name: "warest_connection_flaps_total",
			Help: "Open WhatsApp connections that dropped."}),
	}
	for _, outcome := range []ports.SendOutcome{ports.SendSent, ports.SendFailed} {
		m.sends.WithLabelValues(string(outcome)) // shown at 0 before the first
	}
	for _, outcome := range []ports.DeliveryOutcome{ports.DeliveryDelivered, ports.DeliveryRetry, ports.DeliveryDead} {
		m.deliveries.WithLabelValues(string(outcome))
	}
	m.reg.MustRegister(m.requests, m.durations, m.accepted, m.sends, m.deliveries, m.lag, m.flaps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.Stats != nil {
		m.reg.MustRegister(&stateCollector{stats: src.Stats, log: src.Log})
	}
	if src.DBPool != nil {
		m.reg.MustRegister(&poolCollector{stats: src.DBPool})
	}
	if src.Proxies != nil {
		m.reg.MustRegister(&proxyCollector{health: src.Proxies})
	}
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Request counts one served request; route is its pattern ("/api/v1/sessions/{id}"),
// never the raw path, so the label stays bounded.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.durations.WithLabelValues(route, method).Observe(took.Seconds())
}

func (m *Metrics) SendsAccepted(n int) { m.accepted.Add(float64(n)) }

func (m *Metrics) SendFinished(outcome ports.SendOutcome) {
	m.sends.WithLabelValues(string(outcome)).Inc()
}

func (m *Metrics) DeliveryAttempted(outcome ports.DeliveryOutcome, lag time.Duration) {
	m.deliveries.WithLabelValues(string(outcome)).Inc()
	if outcome == ports.DeliveryDelivered {
		m.lag.Observe(max(lag, 0).Seconds())
	}
}

func (m *Metrics) ConnectionLost() { m.flaps.Inc() }

// scrapeTimeout bounds the store reads of one scrape.
const scrapeTimeout = 5 * time.Second

func scrapeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), scrapeTimeout)
}
