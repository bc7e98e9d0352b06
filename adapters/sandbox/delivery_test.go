package sandbox

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func TestInjectTextReachesSink(t *testing.T) {
	t.Parallel()
	n, clock := newTestNetwork(t, Config{})
	n.AddContact(ports.SandboxContact{Phone: "628333333333", Name: "Carol"})
	sink := startPaired(t, n, "s1", "628111111111")

	id, err := n.InjectText("s1", "628333333333", "", "hi there")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^3EB0[0-9A-F]{16}$`).MatchString(id) {
		t.Fatalf("message id %q", id)
	}
	in := waitFor[ports.TransportMessage](t, sink, 1)[0].Message
	want := message.Inbound{ID: id, SessionID: "s1", Chat: chat.UserJID("628333333333"),
		Sender:  chat.Party{JID: chat.UserJID("628333333333"), LID: lidFor("628333333333"), PushName: "Carol"},
		Content: message.TextContent("hi there"), Timestamp: clock.Now()}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("got %+v\nwant %+v", in, want)
	}
}

func TestInjectTextValidates(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	if _, err := n.InjectText("s1", "628333333333", "", "hi"); err == nil {
		t.Fatal("inject into an unknown session")
	}
	startPaired(t, n, "s1", "628111111111")
	for _, c := range []struct{ phone, text string }{{"12", "hi"}, {"628333333333", "  "}} {
		if _, err := n.InjectText("s1", c.phone, "", c.text); err == nil {
			t.Fatalf("InjectText(%q, %q) accepted", c.phone, c.text)
		}
	}
}

func TestSinkErrorIsRetriedNotLost(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	n, _ := newTestNetwork(t, Config{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	sink := startPaired(t, n, "s1", "628111111111")
	failures := 0
	sink.mu.Lock()
	sink.fail = func(_ int, ev ports.TransportEvent) error {
		if m, ok := ev.(ports.TransportMessage); ok && m.Message.Content.Text == "first" && failures < 3 {
			failures++
			return errors.New("database busy")
		}
		return nil
	}
	sink.mu.Unlock()

	first, _ := n.InjectText("s1", "628333333333", "", "first")
	second, _ := n.InjectText("s1", "628333333333", "", "second")
	got := waitFor[ports.TransportMessage](t, sink, 2)
	if len(got) != 2 || got[0].Message.ID != first || got[1].Message.ID != second {
		t.Fatalf("got %v", got)
	}
	if failures != 3 {
		t.Fatalf("sink failed %d times, want 3", failures)
	}
	// Logged, but not at every one of the quick retries.
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], `err="database busy"`) ||
		!strings.Contains(lines[0], "session=s1") || !strings.Contains(lines[0], "attempt=1") {
		t.Fatalf("log:\n%s", logs.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestOrderPreservedUnderManyMessages(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	sink.mu.Lock()
	sink.fail = func(call int, _ ports.TransportEvent) error {
		if call%7 == 0 { // occasional failures must not reorder anything
			return errors.New("transient")
		}
		return nil
	}
	sink.mu.Unlock()

	const count = 300
	want := make([]string, 0, count)
	for range count {
		id, err := n.InjectText("s1", "628333333333", "", "msg")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	got := waitFor[ports.TransportMessage](t, sink, count)
	for i, m := range got {
		if m.Message.ID != want[i] {
			t.Fatalf("message %d is %s, want %s", i, m.Message.ID, want[i])
		}
	}
}

func TestStoppedSessionKeepsUndeliveredMessages(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	sink.mu.Lock()
	sink.fail = func(int, ports.TransportEvent) error { return errors.New("store down") }
	sink.mu.Unlock()

	id, _ := n.InjectText("s1", "628333333333", "", "keep me")
	waitCalls(t, sink, 6) // QR, paired and connected, then three failed attempts
	_ = n.Stop(context.Background(), "s1")

	fresh := &recordingSink{}
	_ = n.Start(context.Background(), "s1", fresh)
	if got := waitFor[ports.TransportMessage](t, fresh, 1); got[0].Message.ID != id {
		t.Fatalf("got %+v", got[0])
	}
}

func TestDisconnectThenReconnect(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{ReconnectDelay: 50 * time.Millisecond})
	sink := startPaired(t, n, "s1", "628111111111")
	if err := n.Disconnect("s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "x")); err == nil {
		t.Fatal("send while disconnected")
	}
	waitFor[ports.TransportConnected](t, sink, 2)
	evs := sink.snapshot()
	if _, ok := evs[len(evs)-2].(ports.TransportDisconnected); !ok {
		t.Fatalf("events = %v", evs)
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "x")); err != nil {
		t.Fatalf("send after reconnect: %v", err)
	}
}

func TestRemoteLogoutPurgesAndReports(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := startPaired(t, n, "s1", "628111111111")
	_, _ = n.InjectText("s1", "628333333333", "", "before logout")
	if err := n.RemoteLogout("s1", "unlinked on phone"); err != nil {
		t.Fatal(err)
	}
	lo := waitFor[ports.TransportLoggedOut](t, sink, 1)[0]
	if lo.Reason != "unlinked on phone" || lo.SessionID != "s1" {
		t.Fatalf("logged out = %+v", lo)
	}
	evs := sink.snapshot()
	if _, ok := evs[len(evs)-2].(ports.TransportMessage); !ok {
		t.Fatal("message queued before the logout was not delivered first")
	}
	if dev, _ := n.Device(context.Background(), "s1"); dev != (ports.DeviceInfo{}) {
		t.Fatalf("Device = %+v", dev)
	}
	fresh := &recordingSink{}
	if err := n.Start(context.Background(), "s1", fresh); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportQR](t, fresh, 1)
}
