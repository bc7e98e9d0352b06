package ingest_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// staleFences is a node that still holds token 1 of every session and believes it
// live (it was paused); it records the sessions it hears it lost.
type staleFences struct {
	mu     sync.Mutex
	fenced []string
}

func (f *staleFences) Fence(ctx context.Context, id string) (context.Context, bool) {
	return ports.WithFence(ctx, ports.Fence{SessionID: id, Token: 1}), true
}

func (f *staleFences) Fenced(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fenced = append(f.fenced, id)
}

// A paused node wakes to the events of a session another node took over (token 2).
// Events of its old connection (a status, "stream replaced") are acknowledged and
// dropped: retried, they would land once the node owned the session again, on its
// new connection. Every other event stays unacknowledged for the session's next
// connection. None of them writes anything, each tells the node it lost the session.
func TestIngest_EventsOfASessionTakenOverAreFenced(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := appworld.NewStore(t)
	now := time.Now()
	s, _ := session.New("lost", "OWNER", now)
	if err := s.Opened(session.Identity{JID: alicePhone + "@s.whatsapp.net"}, now); err != nil {
		t.Fatal(err)
	}
	if err := store.Sessions().Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	for i, node := range []string{"A", "B"} { // A's token 1, then B's token 2
		at := now.Add(time.Duration(i-1) * 2 * time.Minute)
		if _, ok, err := store.Leases().Acquire(ctx, "lost", node, at, at.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("lease to %s: %v %v", node, ok, err)
		}
	}
	fences := &staleFences{}
	in := ingest.NewIngest(store, appworld.FakeQR{}, appworld.RealClock{}, notify.NewHub(), slog.New(slog.DiscardHandler))
	in.Fences = fences
	bob := chat.Party{JID: chat.UserJID(bobPhone)}

	dropped := []ports.TransportEvent{
		ports.TransportReplaced{SessionID: "lost"},
		ports.TransportDisconnected{SessionID: "lost", Reason: "network", Code: "network"},
		ports.TransportLoggedOut{SessionID: "lost", Reason: "logged out on the phone"},
	}
	for _, e := range dropped {
		if err := in.Handle(ctx, e); err != nil {
			t.Errorf("%T: %v; want it acknowledged and dropped", e, err)
		}
	}
	kept := []ports.TransportEvent{
		ports.TransportPresence{SessionID: "lost", From: bob, Available: true},
		ports.TransportUndecryptable{SessionID: "lost", Chat: bob.JID, Sender: bob, ID: "3EB0UNDECRYPTABLE", At: now},
		ports.TransportPaired{SessionID: "lost", Me: session.Identity{JID: alicePhone + "@s.whatsapp.net"}},
		ports.TransportGroupJoinRequest{SessionID: "lost", Group: chat.JID{User: "120363000000000001", Server: chat.ServerGroup}, Who: bob, At: now},
	}
	for _, e := range kept {
		if fe, ok := fault.As(in.Handle(ctx, e)); !ok || fe.Reason != fault.ReasonFenced {
			t.Errorf("%T: %v; want it refused as fenced, left for the next connection", e, fe)
		}
	}
	if got, err := store.Sessions().Get(ctx, "lost"); err != nil || got.Status() != session.StatusOpen {
		t.Fatalf("session after the stale events: %v %v; want open, untouched", got.Status(), err)
	}
	all, err := store.Events().ListUnpublished(ctx, 0) // nothing relays them here
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Fatalf("the stale events wrote %d events, e.g. %s", len(all), all[0].Type)
	}
	fences.mu.Lock()
	defer fences.mu.Unlock()
	if want := len(dropped) + len(kept); len(fences.fenced) != want || slices.IndexFunc(fences.fenced, func(id string) bool { return id != "lost" }) >= 0 {
		t.Fatalf("fenced %v; want lost, once per event (%d)", fences.fenced, want)
	}
}
