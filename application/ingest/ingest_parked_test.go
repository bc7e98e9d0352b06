package ingest_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// logBuffer collects text log lines; the sandbox and the test read it concurrently.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// errRefused is a store refusing one statement for good, as PostgreSQL refuses a
// string it cannot hold: not a fault of kind unavailable.
var errRefused = errors.New("postgres: append event: ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)")

// poisonWorld has session "alice" open over a store that refuses, for good, every
// message_received event whose payload contains "pill".
func poisonWorld(t *testing.T) (*appworld.World, *failingStore, *logBuffer) {
	var fs *failingStore
	logs := &logBuffer{}
	w := appworld.New(t, appworld.Options{Log: slog.New(slog.NewTextHandler(logs, nil)), WrapStore: func(s ports.Store) ports.Store {
		fs = &failingStore{Store: s, typ: event.MessageReceived, err: errRefused, only: "pill"}
		return fs
	}})
	w.OpenSession(w.User, "alice", alicePhone, "")
	fs.fail.Store(true)
	return w, fs, logs
}

func TestIngest_UnstorableEventIsParkedAndTheSessionGoesOn(t *testing.T) {
	t.Parallel()
	w, fs, logs := poisonWorld(t)
	for _, text := range []string{"poison pill", "after the poison"} {
		if _, err := w.Net.InjectText("alice", bobPhone, "Bob", text); err != nil {
			t.Fatal(err)
		}
	}
	var got []event.Envelope
	appworld.Eventually(t, 3*time.Second, func() bool { got = w.Events("alice", event.MessageReceived); return len(got) > 0 },
		"the message after the poison was never stored")
	if len(got) != 1 || appworld.Rendered[appworld.MessageReceivedData](t, got[0]).Text != "after the poison" {
		t.Fatalf("stored %+v, want only the message after the poison", got)
	}
	// Refused once, parked at once: the transport did not have to retry it.
	if n := fs.refused.Load(); n != 1 {
		t.Fatalf("store refused %d times, want 1", n)
	}
	if n := w.Ingest.Parked(); n != 1 {
		t.Fatalf("Parked() = %d, want 1", n)
	}
	parked, err := w.Store.Parked().List(w.Ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 1 {
		t.Fatalf("parked %+v, want one", parked)
	}
	p := parked[0]
	if p.SessionID != "alice" || p.Kind != "TransportMessage" || p.Reason != errRefused.Error() ||
		!strings.Contains(string(p.Payload), `"poison pill"`) || p.ParkedAt.IsZero() {
		t.Fatalf("parked %+v (payload %s)", p, p.Payload)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "parked as a dead letter") || !strings.Contains(out, "session=alice") {
		t.Fatalf("no ERROR line about the parked event:\n%s", out)
	}
	if strings.Contains(out, "poison pill") {
		t.Fatalf("the log holds the message body:\n%s", out)
	}
}

func TestIngest_AnEventParkedBeforeIsAckedWithoutParkingItAgain(t *testing.T) {
	t.Parallel()
	w, _, _ := poisonWorld(t)
	in := ports.TransportMessage{Message: message.Inbound{ID: "3EB0POISON", SessionID: "alice", Chat: chat.UserJID(bobPhone),
		Sender: chat.Party{JID: chat.UserJID(bobPhone)}, Content: message.TextContent("pill"), Timestamp: time.Unix(1735787045, 0)}}
	for range 2 { // delivered again after a lost ack
		if err := w.Ingest.Handle(w.Ctx, in); err != nil {
			t.Fatalf("Handle = %v, want nil (parked)", err)
		}
	}
	parked, err := w.Store.Parked().List(w.Ctx, 0)
	if err != nil || len(parked) != 1 || w.Ingest.Parked() != 1 {
		t.Fatalf("parked %+v, %v; counted %d; want one", parked, err, w.Ingest.Parked())
	}
}

func TestIngest_AnEventThatCannotBeParkedEitherStaysWithTheTransport(t *testing.T) {
	t.Parallel()
	w, fs, logs := poisonWorld(t)
	fs.parkErr = errDiskFull
	in := ports.TransportMessage{Message: message.Inbound{ID: "3EB0POISON", SessionID: "alice", Chat: chat.UserJID(bobPhone),
		Sender: chat.Party{JID: chat.UserJID(bobPhone)}, Content: message.TextContent("pill"), Timestamp: time.Now()}}
	if err := w.Ingest.Handle(w.Ctx, in); !errors.Is(err, errRefused) {
		t.Fatalf("Handle = %v, want the store's error (no ack)", err)
	}
	if n := w.Ingest.Parked(); n != 0 {
		t.Fatalf("Parked() = %d, want 0", n)
	}
	if out := logs.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "nor parked") {
		t.Fatalf("no ERROR line:\n%s", out)
	}
}
