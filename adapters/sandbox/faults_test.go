package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// A seeded network fails the same sends every run.
func TestSendFailureRateIsSeeded(t *testing.T) {
	t.Parallel()
	outcomes := func() []bool {
		n, _ := newTestNetwork(t, Config{Seed: 42})
		startPaired(t, n, "s1", "628111111111")
		if err := n.SetFaults("s1", ports.SandboxFaults{SendFailureRate: 0.5}); err != nil {
			t.Fatal(err)
		}
		var out []bool
		for i := range 40 {
			m := message.Outbound{ID: "3EB0SEED" + string(rune('A'+i)), To: chat.UserJID("628333333333"), Content: message.TextContent("x")}
			_, err := n.Send(context.Background(), "s1", m)
			if err != nil && !fault.Is(err, fault.KindUnavailable) {
				t.Fatal(err)
			}
			out = append(out, err == nil)
		}
		return out
	}
	a, b := outcomes(), outcomes()
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("send %d differs between runs with one seed", i)
		}
		if !a[i] {
			failed++
		}
	}
	if failed == 0 || failed == len(a) {
		t.Fatalf("%d of %d sends failed at rate 0.5", failed, len(a))
	}
	n, _ := newTestNetwork(t, Config{})
	if err := n.SetFaults("s1", ports.SandboxFaults{SendFailureRate: 1.5}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("rate 1.5 = %v", err)
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	if err := n.SetFaults("s1", ports.SandboxFaults{Latency: time.Hour}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := n.Send(ctx, "s1", text("s1", "628333333333", "slow")); err == nil {
		t.Fatal("a cancelled send waited out the latency")
	}
}

func TestReplaceStreamKeepsPairing(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	if err := n.ReplaceStream("s1"); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportReplaced](t, sink, 1)
	if _, err := n.Send(context.Background(), "s1", text("s1", "628333333333", "x")); err == nil {
		t.Fatal("send after the stream was replaced")
	}
	fresh := &recordingSink{}
	if err := n.Start(context.Background(), "s1", fresh); err != nil {
		t.Fatal(err)
	}
	if me := waitFor[ports.TransportConnected](t, fresh, 1)[0].Me; me.JID != "628111111111@s.whatsapp.net" {
		t.Fatalf("identity %+v", me)
	}
}
