package remote_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/sandbox/remote"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// serve runs a network behind a Server and returns a function making clients.
func serve(t *testing.T) func() *remote.Client {
	t.Helper()
	n := sandbox.NewNetwork(sandbox.Config{QRInterval: time.Hour, ReconnectDelay: 10 * time.Millisecond, Seed: 11}, nil)
	srv := remote.NewServer(n)
	hs := httptest.NewServer(srv)
	var clients []*remote.Client
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, c := range clients {
			if err := c.Close(ctx); err != nil {
				t.Errorf("client Close: %v", err)
			}
		}
		srv.Close()
		hs.Close()
		if err := n.Close(ctx); err != nil {
			t.Errorf("network Close: %v", err)
		}
	})
	return func() *remote.Client {
		c := remote.NewClient(hs.URL)
		clients = append(clients, c)
		return c
	}
}

func TestTransportContract(t *testing.T) {
	t.Parallel()
	contract.RunTransport(t, contract.TransportHarness{New: func(t *testing.T) (ports.Transport, contract.TransportWorld) {
		c := serve(t)()
		return c, contract.SandboxWorld(c, c)
	}})
}

func TestPeopleContract(t *testing.T) {
	t.Parallel()
	contract.RunPeople(t, contract.PeopleHarness{New: func(t *testing.T) (contract.PeopleTransport, contract.TransportWorld) {
		c := serve(t)()
		return c, contract.SandboxWorld(c, c)
	}})
}

func open(t *testing.T, c *remote.Client, sessionID, phone string) *contract.TransportSink {
	t.Helper()
	sink := &contract.TransportSink{}
	if err := c.Start(t.Context(), sessionID, sink); err != nil {
		t.Fatal(err)
	}
	qr := contract.WaitFor[ports.TransportQR](t, sink, 1, nil)[0]
	if err := c.Scan(sessionID, qr.Code, phone, "P"+phone); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportConnected](t, sink, 1, nil)
	return sink
}

func TestTwoGatewaysExchangeMessages(t *testing.T) {
	t.Parallel()
	newClient := serve(t)
	a, b := newClient(), newClient()
	sinkA := open(t, a, "alice", "6281100000001")
	sinkB := open(t, b, "bob", "6281200000002")

	m := message.Outbound{ID: "3EB0REMOTE01", SessionID: "alice", To: chat.UserJID("6281200000002"), Content: message.TextContent("hi bob")}
	if _, err := a.Send(t.Context(), "alice", m); err != nil {
		t.Fatal(err)
	}
	in := contract.WaitFor[ports.TransportMessage](t, sinkB, 1, nil)[0].Message
	if in.ID != m.ID || in.SessionID != "bob" || in.Content.Text != "hi bob" || in.Sender.JID != chat.UserJID("6281100000001") || in.Sender.LID.IsZero() {
		t.Fatalf("bob got %+v", in)
	}
	if _, err := a.Send(t.Context(), "alice", m); err != nil {
		t.Fatal(err)
	}
	if got := a.Attempts("alice"); len(got) != 2 || got[0].ID != m.ID || got[0].Repeat || got[1].ID != m.ID || !got[1].Repeat || got[1].At.IsZero() {
		t.Fatalf("attempts through the remote network = %+v", got)
	}
	if err := b.MarkRead(t.Context(), "bob", in.Chat, in.Sender.JID, []string{in.ID}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	receipts := contract.WaitFor[ports.TransportReceipt](t, sinkA, 2, nil)
	if receipts[0].Status != message.StatusDelivered || receipts[1].Status != message.StatusRead {
		t.Fatalf("alice got %+v", receipts)
	}
}

func TestFaultsKeepTheirKind(t *testing.T) {
	t.Parallel()
	c := serve(t)()
	_, err := c.Send(t.Context(), "nobody", message.Outbound{ID: "x", To: chat.UserJID("6281100000001"), Content: message.TextContent("x")})
	if !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("Send on a session never started = %v", err)
	}
	if _, err := c.AddContact(ports.SandboxContact{Phone: "12"}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("AddContact = %v", err)
	}
}

func TestRestartedGatewayTakesTheSessionOver(t *testing.T) {
	t.Parallel()
	newClient := serve(t)
	first := newClient()
	open(t, first, "s1", "6281100000001")
	if err := first.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	second := newClient()
	sink := &contract.TransportSink{}
	if err := second.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportConnected](t, sink, 1, nil)
	id, err := second.Inject("s1", ports.SandboxInbound{From: "6281300000003", Content: message.TextContent("still here")})
	if err != nil {
		t.Fatal(err)
	}
	contract.WaitFor(t, sink, 1, func(m ports.TransportMessage) bool { return m.Message.ID == id })
	if got := second.Replacements(); len(got) != 1 || got[0].Live || got[0].By == got[0].Replaced {
		t.Fatalf("replacements %+v: taking over a closed gateway's session is no fight", got)
	}
}

func TestASecondGatewayStartingASessionReplacesTheFirst(t *testing.T) {
	t.Parallel()
	newClient := serve(t)
	a, b := newClient(), newClient()
	if a.ID() == b.ID() {
		t.Fatalf("two clients share the id %s", a.ID())
	}
	sinkA := open(t, a, "s1", "6281100000001")
	open(t, a, "peer", "6281200000002")
	m := message.Outbound{ID: "3EB0REMOTE02", SessionID: "s1", To: chat.UserJID("6281200000002"), Content: message.TextContent("hi")}

	// b never connected s1: it cannot send as s1.
	if _, err := b.Send(t.Context(), "s1", m); !isNotOpen(err) {
		t.Fatalf("Send from a gateway that did not start the session = %v", err)
	}
	if err := b.Stop(t.Context(), "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send(t.Context(), "s1", m); err != nil {
		t.Fatalf("the owner's Send after another gateway's Stop: %v", err)
	}

	sinkB := &contract.TransportSink{}
	if err := b.Start(t.Context(), "s1", sinkB); err != nil {
		t.Fatal(err)
	}
	contract.WaitFor[ports.TransportConnected](t, sinkB, 1, nil)
	contract.WaitFor[ports.TransportReplaced](t, sinkA, 1, nil)
	if _, err := a.Send(t.Context(), "s1", m); !isNotOpen(err) {
		t.Fatalf("Send from the replaced gateway = %v", err)
	}
	if _, err := b.Send(t.Context(), "s1", m); err != nil {
		t.Fatal(err)
	}

	got := a.Attempts("s1")
	if len(got) != 2 || got[0].Client == "" || got[1].Client == "" || got[0].Client == got[1].Client || got[0].Repeat || !got[1].Repeat {
		t.Fatalf("attempts %+v: one per gateway, each named by its client", got)
	}
	r := b.Replacements()
	if len(r) != 1 || r[0].SessionID != "s1" || !r[0].Live || r[0].Replaced != a.ID() || r[0].By != b.ID() {
		t.Fatalf("replacements %+v", r)
	}
	if got[0].Client != a.ID() || got[1].Client != b.ID() {
		t.Fatalf("attempts %+v, want from %s then %s", got, a.ID(), b.ID())
	}
	conns := a.Connections()
	if len(conns) != 2 || conns[1] != (ports.SandboxConnection{SessionID: "s1", Client: b.ID(), Connected: true}) {
		t.Fatalf("connections %+v", conns)
	}
}

func TestANamedClientsIDStartsWithItsName(t *testing.T) {
	t.Parallel()
	c := remote.NewNamedClient("http://127.0.0.1:1", "127.0.0.1:7308")
	if id := c.ID(); !strings.HasPrefix(id, "127.0.0.1:7308/") || len(id) <= len("127.0.0.1:7308/") {
		t.Fatalf("id %q", id)
	}
	if a, b := remote.NewNamedClient("http://x", "n"), remote.NewNamedClient("http://x", "n"); a.ID() == b.ID() {
		t.Fatalf("two clients of one name share the id %s: a restarted gateway must be a new connection", a.ID())
	}
}

func isNotOpen(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == fault.KindFailedPrecondition && fe.Reason == fault.ReasonSessionNotOpen
}
