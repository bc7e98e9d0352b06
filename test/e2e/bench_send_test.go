package e2e

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// The send benchmark measures acceptance of POST /messages/send/text by the real
// binary: the message and its event are committed, the reply does not wait for the
// worker (WAREST_SEND_WAIT_MS=0). Limits are lifted so only the pipeline is measured.
// Run with `make bench` (WAREST_BENCH=1); it prints, it never gates.

func benchEnv() map[string]string {
	return map[string]string{"WAREST_SEND_WAIT_MS": "0", "RATE_LIMIT_MAX": "100000000", "QUOTA_MAX": "100000000",
		"SPAM_COOLDOWN_MS": "0", "LOG_LEVEL": "warn"}
}

func TestBenchSendSQLite(t *testing.T) { benchSend(t, startServer(t, benchEnv())) }

func TestBenchSendPostgres(t *testing.T) {
	if os.Getenv("WAREST_BENCH") != "1" {
		t.Skip("benchmark: set WAREST_BENCH=1 (make bench)")
	}
	env := benchEnv()
	env["WAREST_DB_CLIENT"], env["WAREST_DB_POSTGRES_URL"] = "postgres", freshSchema(t, contract.PostgresURL(t))
	benchSend(t, startServer(t, env))
}

func benchSend(t *testing.T, s *server) {
	if os.Getenv("WAREST_BENCH") != "1" {
		t.Skip("benchmark: set WAREST_BENCH=1 (make bench)")
	}
	openBenchSession(t, s)
	body := []byte(`{"sessionId":"bench","to":"6281200000002","message":"benchmark"}`)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	send := func() (time.Duration, bool) {
		req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v1/messages/send/text", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-WAREST-API-KEY", adminKey)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK
	}
	for range 200 { // warm up connections, caches and the database
		send()
	}

	// Throughput: 32 clients as fast as the server accepts.
	const clients, total = 32, 10000
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for next.Add(1) <= total {
				d, ok := send()
				if !ok {
					failed.Add(1)
				}
				lat[c] = append(lat[c], d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	t.Logf("BENCH %s throughput: %d sends in %v = %.0f sends/s accepted, p50 %v p99 %v, %d failed",
		t.Name(), total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), pct(all, 50), pct(all, 99), failed.Load())

	// Latency at a fixed 500 requests/s for 10 s.
	const rate, secs = 500, 10
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	var mu sync.Mutex
	var fixed []time.Duration
	failed.Store(0)
	for range rate * secs {
		<-tick.C
		wg.Go(func() {
			d, ok := send()
			mu.Lock()
			fixed = append(fixed, d)
			mu.Unlock()
			if !ok {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("BENCH %s at %d req/s: p50 %v p99 %v max %v, %d failed", t.Name(), rate, pct(fixed, 50), pct(fixed, 99), pct(fixed, 100), failed.Load())
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(i, 0)].Round(10 * time.Microsecond)
}

// openBenchSession creates and pairs the admin's "bench" session.
func openBenchSession(t *testing.T, s *server) {
	t.Helper()
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=bench", adminKey, nil); status != http.StatusAccepted {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/bench/scan", adminKey, map[string]any{"phone": "6281200000001", "pushName": "Bench"}); status != http.StatusOK {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "bench session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/create?sessionId=bench", adminKey, nil)
		return env.Code == 1104
	})
}
