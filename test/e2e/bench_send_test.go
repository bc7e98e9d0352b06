package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// The send benchmark measures acceptance of POST /messages/send/text by the real
// binary: the message and its event are committed, the reply does not wait for the
// worker (WAREST_SEND_WAIT_MS=0). Limits are lifted so only the pipeline is measured.
// The ideal server (bench_ideal_test.go) runs in the same run on the same database
// engine, so the ratio between them holds on a noisy box where absolute numbers do
// not. Run with `make bench` (WAREST_BENCH=1); it prints, it never gates, and appends
// benchstat lines to WAREST_BENCH_OUT when set.

func benchEnv() map[string]string {
	return map[string]string{"WAREST_SEND_WAIT_MS": "0", "RATE_LIMIT_MAX": "100000000", "QUOTA_MAX": "100000000",
		"SPAM_COOLDOWN_MS": "0", "LOG_LEVEL": "warn"}
}

func TestBenchSendSQLite(t *testing.T) {
	skipUnlessBench(t)
	gateway := startServer(t, benchEnv())
	openBenchSession(t, gateway)
	benchSend(t, "sqlite", gateway, startIdeal(t, idealSQLite(t)))
}

func TestBenchSendMySQL(t *testing.T) {
	skipUnlessBench(t)
	env := benchEnv()
	for k, v := range mysqlEnv(t) {
		env[k] = v
	}
	gateway := startServer(t, env)
	openBenchSession(t, gateway)
	benchSend(t, "mysql", gateway, startIdeal(t, idealMySQL(t, contract.MySQLDatabaseDSN(t))))
}

func TestBenchSendPostgres(t *testing.T) {
	skipUnlessBench(t)
	env := benchEnv()
	env["WAREST_DB_CLIENT"], env["WAREST_DB_POSTGRES_URL"] = "postgres", freshSchema(t, contract.PostgresURL(t))
	gateway := startServer(t, env)
	openBenchSession(t, gateway)
	benchSend(t, "postgres", gateway, startIdeal(t, idealPostgres(t, freshSchema(t, contract.PostgresURL(t)))))
}

func skipUnlessBench(t *testing.T) {
	if os.Getenv("WAREST_BENCH") != "1" {
		t.Skip("benchmark: set WAREST_BENCH=1 (make bench)")
	}
}

// benchSend loads the gateway and the ideal server alike: as fast as 32 clients can
// send, then at a fixed 1,000 requests/s. It also reports the gateway's CPU time per
// send at saturation, which a shared box's load moves far less than the rates.
func benchSend(t *testing.T, db string, gateway *server, idealURL string) {
	const clients, total, rate, secs = 32, 10000, 1000, 5
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	sides := []struct{ name, url string }{{"ideal", idealURL}, {"gateway", gateway.URL}}
	tput := map[string]float64{}
	var out []string
	for _, side := range sides {
		send := sender(client, side.url)
		for range 200 { // warm up connections, caches and the database
			send()
		}
		cpu0 := processCPU(t, gateway.Cmd.Process.Pid)
		r := throughput(send, clients, total)
		tput[side.name] = r.perSec
		t.Logf("BENCH %s %s throughput: %d sends in %v = %.0f sends/s accepted, p50 %v p99 %v, %d failed",
			db, side.name, total, r.elapsed.Round(time.Millisecond), r.perSec, pct(r.lat, 50), pct(r.lat, 99), r.failed)
		out = append(out, fmt.Sprintf("BenchmarkSendThroughput/db=%s/server=%s %d %.0f ns/op %.0f sends/s %.3f p99-ms",
			db, side.name, total, float64(r.elapsed.Nanoseconds())/total, r.perSec, ms(pct(r.lat, 99))))
		if side.name == "gateway" {
			cpu := processCPU(t, gateway.Cmd.Process.Pid) - cpu0
			t.Logf("BENCH %s gateway CPU: %v per send, %.2f cores", db, (cpu / total).Round(time.Microsecond), cpu.Seconds()/r.elapsed.Seconds())
			out = append(out, fmt.Sprintf("BenchmarkSendCPU/db=%s/server=gateway %d %.0f cpu-ns/op", db, total, float64(cpu.Nanoseconds())/total))
		}
	}
	for _, side := range sides {
		r := fixedRate(sender(client, side.url), rate, secs)
		t.Logf("BENCH %s %s at %d req/s: p50 %v p99 %v max %v, %d failed",
			db, side.name, rate, pct(r.lat, 50), pct(r.lat, 99), pct(r.lat, 100), r.failed)
		out = append(out, fmt.Sprintf("BenchmarkSendFixed%d/db=%s/server=%s %d %.3f p50-ms %.3f p99-ms",
			rate, db, side.name, len(r.lat), ms(pct(r.lat, 50)), ms(pct(r.lat, 99))))
	}
	t.Logf("BENCH %s gateway/ideal ratio: %.2f (%.0f / %.0f sends/s)", db, tput["gateway"]/tput["ideal"], tput["gateway"], tput["ideal"])
	writeBench(t, out)
}

// sender posts the benchmark's text send to url and reports its latency and
// whether it was accepted.
func sender(client *http.Client, url string) func() (time.Duration, bool) {
	body := []byte(`{"sessionId":"bench","to":"6281200000002","message":"benchmark"}`)
	return func() (time.Duration, bool) {
		req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/messages/send/text", bytes.NewReader(body))
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
}

type loadResult struct {
	lat     []time.Duration
	failed  int64
	elapsed time.Duration
	perSec  float64
}

// throughput sends total requests from clients concurrent clients.
func throughput(send func() (time.Duration, bool), clients, total int) loadResult {
	var next, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(total) {
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
	return loadResult{lat: slices.Concat(lat...), failed: failed.Load(), elapsed: elapsed, perSec: float64(total) / elapsed.Seconds()}
}

// fixedRate starts rate requests a second for secs seconds, each on schedule
// whatever the earlier ones are doing (a late start catches up rather than
// stretching the run).
func fixedRate(send func() (time.Duration, bool), rate, secs int) loadResult {
	var mu sync.Mutex
	var r loadResult
	var wg sync.WaitGroup
	start := time.Now()
	for i := range rate * secs {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		wg.Go(func() {
			d, ok := send()
			mu.Lock()
			defer mu.Unlock()
			r.lat = append(r.lat, d)
			if !ok {
				r.failed++
			}
		})
	}
	wg.Wait()
	return r
}

// processCPU is the CPU time process pid has used, user and system, from
// /proc/<pid>/stat (in clock ticks of 1/100 s, Linux's USER_HZ).
func processCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name, which is in parentheses and may hold spaces:
	// utime and stime are the 14th and 15th of the line.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeBench appends benchstat lines to WAREST_BENCH_OUT, when set.
func writeBench(t *testing.T, lines []string) {
	path := os.Getenv("WAREST_BENCH_OUT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
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
