package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/metrics"
	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// scrape reads the metrics the way Prometheus does.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

// value is the sample of series (name and labels, as exposed) in text, or -1.
func value(text, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func expect(t *testing.T, text string, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		if got := value(text, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
}

func TestCountersFollowWhatTheApplicationReports(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Sources{})
	expect(t, scrape(t, m), map[string]float64{
		`warest_sends_total{outcome="failed"}`:                 0,
		`warest_webhook_deliveries_total{outcome="dead"}`:      0,
		`warest_webhook_delivery_lag_seconds_count`:            0,
		`warest_connection_flaps_total`:                        0,
		`warest_sends_accepted_total`:                          0,
		`warest_webhook_deliveries_total{outcome="delivered"}`: 0,
	})
	m.SendsAccepted(3)
	m.SendFinished(ports.SendSent)
	m.SendFinished(ports.SendSent)
	m.SendFinished(ports.SendFailed)
	m.DeliveryAttempted(ports.DeliveryRetry, 0)
	m.DeliveryAttempted(ports.DeliveryDelivered, 1500*time.Millisecond)
	m.DeliveryAttempted(ports.DeliveryDead, 0)
	m.ConnectionLost()
	m.Request("/api/v1/sessions/{sessionId}", http.MethodGet, 404, 20*time.Millisecond)
	m.Request("/api/v1/sessions/{sessionId}", http.MethodGet, 404, 20*time.Millisecond)
	expect(t, scrape(t, m), map[string]float64{
		`warest_sends_accepted_total`:                          3,
		`warest_sends_total{outcome="sent"}`:                   2,
		`warest_sends_total{outcome="failed"}`:                 1,
		`warest_webhook_deliveries_total{outcome="retry"}`:     1,
		`warest_webhook_deliveries_total{outcome="delivered"}`: 1,
		`warest_webhook_deliveries_total{outcome="dead"}`:      1,
		// only delivered events have a lag
		`warest_webhook_delivery_lag_seconds_count`:                                                     1,
		`warest_webhook_delivery_lag_seconds_sum`:                                                       1.5,
		`warest_webhook_delivery_lag_seconds_bucket{le="1"}`:                                            0,
		`warest_webhook_delivery_lag_seconds_bucket{le="2.5"}`:                                          1,
		`warest_connection_flaps_total`:                                                                 1,
		`warest_http_requests_total{method="GET",route="/api/v1/sessions/{sessionId}",status="404"}`:    2,
		`warest_http_request_duration_seconds_count{method="GET",route="/api/v1/sessions/{sessionId}"}`: 2,
	})
}

// stats is a StatsReader that records its reads.
type stats struct {
	reads int
	s     ports.Stats
	err   error
}

func (f *stats) Stats(context.Context) (ports.Stats, error) {
	f.reads++
	return f.s, f.err
}

func TestStateIsReadFromTheStoreAtEachScrape(t *testing.T) {
	t.Parallel()
	src := &stats{s: ports.Stats{SessionsByStatus: map[string]int{"open": 2, "qr": 1},
		Queues:       []ports.QueueStat{{SessionID: "s1", Depth: 4, Oldest: time.Now().Add(-90 * time.Second)}},
		ParkedEvents: 5, DeadDeliveries: 6}}
	m := metrics.New(metrics.Sources{Stats: src})
	text := scrape(t, m)
	expect(t, text, map[string]float64{
		`warest_sessions{status="open"}`:                 2,
		`warest_sessions{status="qr"}`:                   1,
		`warest_sessions{status="stopped"}`:              0, // shown though no session has it
		`warest_send_queue_depth{session="s1"}`:          4,
		`warest_dead_letters{kind="parked_events"}`:      5,
		`warest_dead_letters{kind="webhook_deliveries"}`: 6,
		`warest_state_scrape_error`:                      0,
	})
	if age := value(text, `warest_send_queue_oldest_age_seconds{session="s1"}`); age < 90 || age > 120 {
		t.Errorf("oldest queued message age = %v, want about 90 s", age)
	}
	src.s.Queues = nil
	text = scrape(t, m)
	if src.reads != 2 || strings.Contains(text, "warest_send_queue_depth{") {
		t.Fatalf("second scrape: %d reads, drained queue still shown:\n%s", src.reads, text)
	}
}

// A store that cannot answer does not fail the scrape: the counters still show,
// and warest_state_scrape_error says the state is missing.
func TestAStoreFailureShowsAsAScrapeError(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Sources{Stats: &stats{err: errors.New("database is locked")}})
	m.SendsAccepted(1)
	expect(t, scrape(t, m), map[string]float64{`warest_state_scrape_error`: 1, `warest_sends_accepted_total`: 1})
}

func TestPoolAndProxyHealth(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Sources{
		DBPool: func() sql.DBStats {
			return sql.DBStats{MaxOpenConnections: 10, InUse: 2, Idle: 3, WaitCount: 7, WaitDuration: 2 * time.Second}
		},
		Proxies: func() []proxy.Health {
			return []proxy.Health{{URL: "http://a:1", Failures: 2, Cooling: true}, {URL: "socks5://b:2"}}
		},
	})
	expect(t, scrape(t, m), map[string]float64{
		`warest_db_connections{state="in_use"}`:       2,
		`warest_db_connections{state="idle"}`:         3,
		`warest_db_connections_max`:                   10,
		`warest_db_connection_waits_total`:            7,
		`warest_db_connection_wait_seconds_total`:     2,
		`warest_proxy_failures{proxy="http://a:1"}`:   2,
		`warest_proxy_cooling{proxy="http://a:1"}`:    1,
		`warest_proxy_failures{proxy="socks5://b:2"}`: 0,
		`warest_proxy_cooling{proxy="socks5://b:2"}`:  0,
	})
}
