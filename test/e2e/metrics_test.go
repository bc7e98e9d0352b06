package e2e

import (
	"io"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/warest-go/warest/test/contract"
)

const metricsToken = "e2e-scrape-token"

// scrapeMetrics reads /metrics with the bearer token.
func scrapeMetrics(t *testing.T, s *server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %s", resp.StatusCode, body)
	}
	return string(body)
}

// sample is the value of one series in a scrape; -1 when it is absent.
func sample(text, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// Traffic through the real gateway moves the counters a scrape shows: requests by
// route pattern, sends accepted and sent, webhook deliveries and their lag, and the
// state read from the store (sessions by status).
func TestMetricsMoveWithTrafficOnSQLite(t *testing.T) {
	t.Parallel()
	runMetrics(t, nil)
}

func TestMetricsMoveWithTrafficOnPostgres(t *testing.T) {
	t.Parallel()
	runMetrics(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, contract.PostgresURL(t))})
}

func runMetrics(t *testing.T, env map[string]string) {
	hooks := newHookLog(t)
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	env["WAREST_METRICS_TOKEN"], env["WEBHOOK_DEFAULT_URL"] = metricsToken, hooks.srv.URL
	s := startServer(t, env)

	if status, env := s.call(http.MethodGet, "/metrics", "", nil); status != http.StatusUnauthorized || env.Code != 2200 {
		t.Fatalf("scrape without the token: %d %+v", status, env)
	}
	before := scrapeMetrics(t, s)
	if sample(before, `warest_sends_accepted_total`) != 0 || sample(before, `warest_state_scrape_error`) != 0 {
		t.Fatalf("a fresh gateway:\n%s", before)
	}

	openBenchSession(t, s)
	if status, sent := s.call(http.MethodPost, "/api/v1/messages/send/text", adminKey,
		map[string]string{"sessionId": "bench", "to": "6281200000002", "message": "counted"}); status != http.StatusOK {
		t.Fatalf("send: %d %+v", status, sent)
	}
	const sendRoute = `warest_http_requests_total{method="POST",route="/api/v1/messages/send/text",status="200"}`
	var after string
	eventually(t, "the send and its webhook deliveries counted", func() bool {
		after = scrapeMetrics(t, s)
		return sample(after, `warest_webhook_deliveries_total{outcome="delivered"}`) > 0 &&
			sample(after, `warest_sends_total{outcome="sent"}`) == 1
	})
	for series, want := range map[string]float64{
		`warest_sends_accepted_total`:               1,
		`warest_sends_total{outcome="failed"}`:      0,
		sendRoute:                                   1,
		`warest_sessions{status="open"}`:            1,
		`warest_dead_letters{kind="parked_events"}`: 0,
	} {
		if got := sample(after, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if sample(after, `warest_webhook_delivery_lag_seconds_count`) < 1 {
		t.Errorf("no delivery lag observed")
	}
	// Session routes are counted by pattern, not by each session's path.
	if sample(after, `warest_http_requests_total{method="POST",route="/api/v1/sandbox/sessions/{sessionId}/scan",status="200"}`) != 1 {
		t.Errorf("the scan is not counted under its route pattern:\n%s", after)
	}
	if sample(after, `warest_db_connections_max`) < 1 {
		t.Errorf("the database pool is not shown")
	}
}

// The probes need no key and answer even when every key is over its limits.
func TestProbesNeedNoKey(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"RATE_LIMIT_MAX": "1", "RATE_LIMIT_WINDOW_MS": "60000"})
	for range 3 {
		for _, path := range []string{"/livez", "/readyz"} {
			if status, env := s.call(http.MethodGet, path, "", nil); status != http.StatusOK || env.Code == 0 {
				t.Fatalf("%s: %d %+v", path, status, env)
			}
		}
	}
	_, env := s.call(http.MethodGet, "/readyz", "", nil)
	if r := result[struct{ Ready, Database, ShuttingDown bool }](t, env); !r.Ready || !r.Database || r.ShuttingDown {
		t.Fatalf("readyz: %+v", r)
	}
	// No metrics token: /metrics is open.
	if status, _ := s.raw(http.MethodGet, "/metrics", "", nil); status != http.StatusOK {
		t.Fatalf("open /metrics: %d", status)
	}
}
