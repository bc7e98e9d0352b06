package worker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
	"github.com/warest-go/warest/test/contract"
)

// BenchmarkWebhookDelivery measures event → delivered latency through the real
// pipeline with the production poll intervals: 8 sessions append events to the log
// at a steady rate in all (each session on its own, each event in a transaction as
// the ingest records a received message), the outbox
// relay, the watermill bus, Schedule, the dispatcher and the HTTP sender, to a local
// receiver; on SQLite and on PostgreSQL (WAREST_TEST_POSTGRES_URL). Latency is from
// just before the append to the receiver reading the request. Each rate offers 5 s
// of events. `make bench` writes the lines to artifacts/bench/webhooks.txt, for
// benchstat; it prints, it never gates.
func BenchmarkWebhookDelivery(b *testing.B) {
	const sessions = 8
	stores := []struct {
		name string
		open func(*testing.B, context.Context) ports.Store
	}{
		{"sqlite", func(b *testing.B, ctx context.Context) ports.Store {
			s, err := appworld.OpenSQLite(ctx, appworld.SQLiteConfig{Path: filepath.Join(b.TempDir(), "bench.db")}, contract.Sealer{})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B, ctx context.Context) ports.Store {
			s, err := appworld.OpenPG(ctx, appworld.PGConfig{URL: contract.PostgresSchemaURL(b)}, contract.Sealer{})
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	}
	for _, st := range stores {
		for _, perSecond := range []int{1000, 3000, 5000} {
			b.Run(fmt.Sprintf("store=%s/rate=%d", st.name, perSecond), func(b *testing.B) {
				for range b.N {
					ctx, cancel := context.WithCancel(context.Background())
					store := st.open(b, ctx)
					benchDelivery(b, ctx, store, sessions, 5*perSecond, perSecond)
					cancel()
					_ = store.(io.Closer).Close()
				}
			})
		}
	}
}

func benchDelivery(b *testing.B, ctx context.Context, store ports.Store, sessions, events, perSecond int) {
	b.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// An event's session, its place among the session's events, and when it was offered.
	type offered struct {
		session, i int
		at         time.Time
	}
	var started sync.Map // event id → offered
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, events)
	seen := map[string]bool{}
	next := make([]int, sessions) // per session, the place of the event due next
	outOfOrder := 0
	var got atomic.Int64
	var last atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		id := r.Header.Get("X-WAREST-Event-Id")
		if o, ok := started.Load(id); ok {
			o := o.(offered)
			mu.Lock()
			if !seen[id] { // a repeat (at least once) is neither counted nor out of order
				seen[id] = true
				latencies = append(latencies, now.Sub(o.at))
				if o.i != next[o.session] {
					outOfOrder++
				}
				next[o.session] = o.i + 1
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
	events_.SubscribeBatches("webhooks", hooks.Schedule, hooks.ScheduleAll)
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
	cpu0 := cpuTime(b)
	begin := time.Now()
	// Each session appends its share on its own schedule, as its ingest would.
	gap := time.Second * time.Duration(sessions) / time.Duration(perSecond)
	var appenders sync.WaitGroup
	failed := make(chan error, sessions)
	for s := range sessions {
		appenders.Go(func() {
			for i := 0; i*sessions+s < events; i++ {
				if d := time.Until(begin.Add(time.Duration(i)*gap + time.Duration(s)*gap/time.Duration(sessions))); d > 0 {
					time.Sleep(d)
				}
				e, err := event.New(event.MessageReceived, ids[s], time.Now(), event.Legacy(fmt.Sprintf(`{"id":%q,"text":"m%d"}`, ids[s], i)))
				if err == nil {
					started.Store(e.ID, offered{session: s, i: i, at: time.Now()})
					err = store.InTx(ctx, func(r ports.Repositories) error {
						_, err := r.Events().Append(ctx, e)
						return err
					})
				}
				if err != nil {
					failed <- err
					return
				}
				hub.Outbox.Poke()
			}
		})
	}
	appenders.Wait()
	close(failed)
	if err := <-failed; err != nil {
		b.Fatal(err)
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
	cpu := cpuTime(b) - cpu0
	total := time.Unix(0, last.Load()).Sub(begin)

	mu.Lock()
	defer mu.Unlock()
	if outOfOrder > 0 {
		b.Errorf("%d events reached the receiver before an earlier one of their session", outOfOrder)
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(latencies[len(latencies)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(float64(events)/total.Seconds(), "events/s")
	b.ReportMetric(float64(events)/appended.Seconds(), "offered/s")
	// The process's CPU per event, offering and receiving included: on a shared box
	// it moves far less with the neighbours' load than the rates and latencies do.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(events), "cpu_ms/event")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
