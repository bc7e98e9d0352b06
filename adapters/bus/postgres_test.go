package bus

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/warest-go/warest/test/contract"
)

func pgNode(t *testing.T, url string, topic string) (*Bus, chan string) {
	t.Helper()
	b, err := NewPostgres(t.Context(), Config{}, url, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	got := make(chan string, 16)
	b.OnSignal(topic, func(k string) { got <- k })
	start(t, b)
	return b, got
}

func receive(t *testing.T, c chan string, who string) string {
	t.Helper()
	select {
	case k := <-c:
		return k
	case <-time.After(5 * time.Second):
		t.Fatalf("%s got no signal", who)
		return ""
	}
}

// Two buses on one database are two nodes: a signal sent on A reaches the
// handlers of both, and a node that starts later does not replay older signals.
func TestSignalsCrossNodesOnPostgres(t *testing.T) {
	url := contract.PostgresSchemaURL(t)
	const topic = "wake.queue"
	a, onA := pgNode(t, url, topic)
	a.Signal(topic, "before B started")
	if k := receive(t, onA, "A"); k != "before B started" {
		t.Fatalf("A got %q", k)
	}

	_, onB := pgNode(t, url, topic)
	time.Sleep(3 * signalPoll) // B is polling
	sent := time.Now()
	a.Signal(topic, "s1/m1")
	if k := receive(t, onB, "B"); k != "s1/m1" {
		t.Fatalf("B got %q first, want the signal sent after it started", k)
	}
	t.Logf("signal A -> B in %v (poll interval %v)", time.Since(sent), signalPoll)
	if k := receive(t, onA, "A"); k != "s1/m1" {
		t.Fatalf("A got %q", k)
	}
	select {
	case k := <-onB:
		t.Fatalf("B got a second signal %q", k)
	case <-time.After(3 * signalPoll):
	}

	// Pruning deletes what was sent; the consumers carry on after it.
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pruneSignals(t.Context(), pool, signalSchema, topic, 0); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM `+signalSchema.MessagesTable(topic)).Scan(&left); err != nil || left != 0 {
		t.Fatalf("after pruning %d signals left (%v)", left, err)
	}
	a.Signal(topic, "after pruning")
	if k := receive(t, onB, "B"); k != "after pruning" {
		t.Fatalf("B got %q after pruning", k)
	}
}
