package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/ports"
)

// connectSink counts down a WaitGroup when its session connects; it keeps nothing,
// as an idle gateway's sink would after storing an event.
type connectSink struct {
	once sync.Once
	wg   *sync.WaitGroup
}

func (s *connectSink) Handle(_ context.Context, ev ports.TransportEvent) error {
	if _, ok := ev.(ports.TransportConnected); ok {
		s.once.Do(s.wg.Done)
	}
	return nil
}

// openIdle starts, pairs and opens count sessions and waits until every sink saw
// its session connect.
func openIdle(tb testing.TB, n *Network, count int) {
	tb.Helper()
	var wg sync.WaitGroup
	wg.Add(count)
	for i := range count {
		id := fmt.Sprintf("idle-%05d", i)
		if err := n.Start(context.Background(), id, &connectSink{wg: &wg}); err != nil {
			tb.Fatal(err)
		}
		code, _ := n.CurrentQR(id)
		if err := n.Scan(id, code, fmt.Sprintf("62810%08d", i), ""); err != nil {
			tb.Fatal(err)
		}
	}
	wg.Wait()
}

// settledGoroutines waits for the QR rotators of paired sessions to exit.
func settledGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// A paired, idle session keeps one goroutine (its delivery loop) and no QR ticker.
// Not parallel: it counts the process's goroutines.
func TestIdleSessionsHoldOneGoroutineEach(t *testing.T) {
	n, _ := newTestNetwork(t, Config{})
	before := runtime.NumGoroutine()
	const count = 200
	openIdle(t, n, count)
	if got := settledGoroutines(before + count); got > before+count {
		t.Fatalf("%d goroutines for %d idle sessions", got-before, count)
	}
}

// BenchmarkIdleSessions opens 1,000 sandbox sessions and leaves them idle. It
// reports the time to start, pair and open them all, and the resident memory and
// goroutines each idle session costs. Memory is measured on the first round only:
// later rounds reuse the heap the first one grew. It prints; it does not gate.
func BenchmarkIdleSessions(b *testing.B) {
	const count = 1000
	first := true
	for b.Loop() {
		runtime.GC()
		rss0, g0 := vmRSS(b), runtime.NumGoroutine()
		n := NewNetwork(Config{QRInterval: time.Hour, Seed: 1}, nil)
		start := time.Now()
		openIdle(b, n, count)
		boot := time.Since(start)
		g1 := settledGoroutines(g0 + count)
		runtime.GC()
		rss1 := vmRSS(b)
		b.ReportMetric(boot.Seconds(), "boot-s/1000-sessions")
		if first {
			b.ReportMetric(float64(rss1-rss0)/count/1024, "RSS-KiB/session")
			first = false
		}
		b.ReportMetric(float64(g1-g0)/count, "goroutines/session")
		if err := n.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// vmRSS reads the process's resident set size in bytes from /proc/self/status.
func vmRSS(tb testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skip("no /proc/self/status: RSS is measured on Linux only")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	tb.Skip("VmRSS not reported")
	return 0
}
