package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/test/appworld"
	"github.com/warest-go/warest/test/contract"
)

// BenchmarkWebhookDelivery measures event → delivered latency through the real
// pipeline with the production poll intervals: events appended to a SQLite log at a
// steady rate (as the ingest does), the outbox relay, the watermill bus, Schedule,
// the dispatcher and the HTTP sender, to a local receiver. Latency is from just
// before the append to the receiver reading the request.
// The 3,000/s runs offer more than one receiver line absorbs one delivery at a
// time, so they show the throughput under overload rather than the latency.
func BenchmarkWebhookDelivery(b *testing.B) {
	for _, perSecond := range []int{1000, 3000} {
		for _, sessions := range []int{1, 8} {
			b.Run(fmt.Sprintf("rate=%d/sessions=%d", perSecond, sessions), func(b *testing.B) {
				for range b.N {
					benchDelivery(b, sessions, 5*perSecond, perSecond)
				}
			})
		}
	}
}

func benchDelivery(b *testing.B, sessions, events, perSecond int) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := appworld.OpenSQLite(ctx, appworld.SQLiteConfig{Path: filepath.Join(b.TempDir(), "bench.db")}, contract.Sealer{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()

	var started sync.Map // event id → time.Time
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, events)
	seen := map[string]bool{}
	var got atomic.Int64
	var last atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		id := r.Header.Get("X-WAREST-Event-Id")
		if t0, ok := started.Load(id); ok {
			mu.Lock()
			if !seen[id] {
				seen[id] = true
				latencies = append(latencies, now.Sub(t0.(time.Time)))
				got.Add(1)
				last.Store(now.UnixNano())
			}
			mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	now := time.Now()
	u := account.User{ID: "u1", Username: "budi", PasswordHash: "x", Role: account.RoleUser, Registry: "BUDIBUDIBU", CreatedAt: now}
	if err := store.Users().Create(ctx, u); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, sessions)
	for i := range ids {
		ids[i] = fmt.Sprint("s", i)
		s, err := session.New(ids[i], u.Registry, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Sessions().Create(ctx, s); err != nil {
			b.Fatal(err)
		}
		sub, err := webhook.NewSubscription("sub-"+ids[i], ids[i], recv.URL+"/hook", "bench-secret", nil, webhook.ModeWAREST, 0, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.Subscriptions().Create(ctx, sub); err != nil {
			b.Fatal(err)
		}
	}

	// Production wiring and defaults (cmd/warest/wiring.go), but a tenant's receiver
	// may be on this host.
	hub := notify.NewHub()
	events_ := appworld.NewBus(appworld.BusConfig{}, appworld.Discard)
	hooks := worker.NewWebhooks(worker.WebhookConfig{Algorithm: webhook.SHA256, Timeout: 10 * time.Second,
		Policy: webhook.DefaultPolicy, DisableAfter: 10, PrivateTargets: netpolicy.PrivateForAll}, store, appworld.NewSender(appworld.SenderConfig{}), appworld.Renderer{}, appworld.RealClock{}, appworld.ULIDs{}, hub, appworld.Discard, nil)
	events_.Subscribe("webhooks", hooks.Schedule)
	if err := events_.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer events_.Close()
	relay := worker.NewRelay(store, events_, appworld.RealClock{}, hub, appworld.Discard)
	var wg sync.WaitGroup
	for _, run := range []func(context.Context){relay.Run, hooks.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx) }()
	}
	defer wg.Wait()
	defer cancel()

	b.ResetTimer()
	begin := time.Now()
	gap := time.Second / time.Duration(perSecond)
	for i := range events {
		if d := time.Until(begin.Add(time.Duration(i) * gap)); d > 0 {
			time.Sleep(d)
		}
		e, err := event.New(event.MessageReceived, ids[i%sessions], time.Now(), event.Legacy(fmt.Sprintf(`{"id":%q,"text":"m%d"}`, ids[i%sessions], i)))
		if err != nil {
			b.Fatal(err)
		}
		started.Store(e.ID, time.Now())
		if _, err := store.Events().Append(ctx, e); err != nil {
			b.Fatal(err)
		}
		hub.Outbox.Poke()
	}
	appended := time.Since(begin)
	deadline := time.Now().Add(2 * time.Minute)
	for got.Load() < int64(events) {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d events delivered", got.Load(), events)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	total := time.Unix(0, last.Load()).Sub(begin)

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(float64(events)/total.Seconds(), "events/s")
	b.ReportMetric(float64(events)/appended.Seconds(), "offered/s")
}
