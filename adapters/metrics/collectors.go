package metrics

import (
	"database/sql"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

var (
	sessionsDesc = prometheus.NewDesc("warest_sessions", "Sessions by status.", []string{"status"}, nil)
	queueDesc    = prometheus.NewDesc("warest_send_queue_depth", "Messages waiting in a session's send queue.", []string{"session"}, nil)
	queueAgeDesc = prometheus.NewDesc("warest_send_queue_oldest_age_seconds",
		"Age of the oldest message waiting in a session's send queue.", []string{"session"}, nil)
	parkedDesc = prometheus.NewDesc("warest_dead_letters", "Dead letters by kind: transport events the store refused "+
		"(parked_events) and webhook deliveries given up (webhook_deliveries).", []string{"kind"}, nil)
	scrapeErrDesc = prometheus.NewDesc("warest_state_scrape_error", "1 when the store could not be read for this scrape.", nil, nil)
)

// stateCollector reads the state gauges from the store at each scrape; a failed
// read shows as warest_state_scrape_error 1 rather than failing the scrape.
type stateCollector struct {
	stats ports.StatsReader
	log   *slog.Logger
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sessionsDesc, queueDesc, queueAgeDesc, parkedDesc, scrapeErrDesc} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := scrapeContext()
	defer cancel()
	s, err := c.stats.Stats(ctx)
	if err != nil {
		c.log.Warn("metrics: reading the store's state failed", "err", err)
		ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, 0)
	// Every status shows, at 0 when no session has it, so a drop to none is seen.
	for _, status := range session.Statuses() {
		n := s.SessionsByStatus[string(status)]
		ch <- prometheus.MustNewConstMetric(sessionsDesc, prometheus.GaugeValue, float64(n), string(status))
	}
	now := time.Now()
	for _, q := range s.Queues {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(q.Depth), q.SessionID)
		ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, max(now.Sub(q.Oldest), 0).Seconds(), q.SessionID)
	}
	ch <- prometheus.MustNewConstMetric(parkedDesc, prometheus.GaugeValue, float64(s.ParkedEvents), "parked_events")
	ch <- prometheus.MustNewConstMetric(parkedDesc, prometheus.GaugeValue, float64(s.DeadDeliveries), "webhook_deliveries")
}

var (
	poolOpenDesc  = prometheus.NewDesc("warest_db_connections", "Database connections by state (in_use, idle).", []string{"state"}, nil)
	poolMaxDesc   = prometheus.NewDesc("warest_db_connections_max", "Most connections the pool opens (0: unlimited).", nil, nil)
	poolWaitsDesc = prometheus.NewDesc("warest_db_connection_waits_total", "Times a query waited for a free connection.", nil, nil)
	poolWaitDesc  = prometheus.NewDesc("warest_db_connection_wait_seconds_total", "Time queries waited for a free connection.", nil, nil)
)

// poolCollector shows the store's connection pool.
type poolCollector struct{ stats func() sql.DBStats }

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpenDesc, poolMaxDesc, poolWaitsDesc, poolWaitDesc} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(s.InUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolOpenDesc, prometheus.GaugeValue, float64(s.Idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(s.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitDesc, prometheus.CounterValue, s.WaitDuration.Seconds())
}

var (
	proxyFailuresDesc = prometheus.NewDesc("warest_proxy_failures",
		"Connection failures through a proxy since it last worked.", []string{"proxy"}, nil)
	proxyCoolingDesc = prometheus.NewDesc("warest_proxy_cooling", "1 while a proxy is cooling off after failures.", []string{"proxy"}, nil)
)

// proxyCollector shows the proxy pool's health per proxy (URLs without credentials).
type proxyCollector struct{ health func() []proxy.Health }

func (c *proxyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- proxyFailuresDesc
	ch <- proxyCoolingDesc
}

func (c *proxyCollector) Collect(ch chan<- prometheus.Metric) {
	for _, h := range c.health() {
		cooling := 0.0
		if h.Cooling {
			cooling = 1
		}
		ch <- prometheus.MustNewConstMetric(proxyFailuresDesc, prometheus.GaugeValue, float64(h.Failures), h.URL)
		ch <- prometheus.MustNewConstMetric(proxyCoolingDesc, prometheus.GaugeValue, cooling, h.URL)
	}
}
