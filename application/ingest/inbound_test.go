package ingest_test

// What ingest keeps of inbound messages (ports.InboundMessages), beside their events.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

func (f *ingestFixture) kept(id string) message.Received {
	f.t.Helper()
	m, err := f.mem.Inbound().Get(f.ctx, "alice", id)
	if err != nil {
		f.t.Fatalf("inbound message %s: %v", id, err)
	}
	return m
}

func TestIngestKeeps_AReceivedMessageWithItsContent(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	c := message.Content{Kind: message.KindImage, Text: "sunset", Media: &message.Media{MIME: "image/jpeg", Size: 4096,
		DirectPath: "/v/t62/x", MediaKey: []byte("key")}}
	f.only(ports.TransportMessage{Message: inbound("3EB0IMG", grp, bob, c)}, event.MessageReceived)
	m := f.kept("3EB0IMG")
	if m.Chat != grp || m.Sender != bob || m.FromMe || !m.Timestamp.Equal(t0) || !m.ReceivedAt.Equal(tNow) ||
		m.Content.Text != "sunset" || m.Content.Media == nil || string(m.Content.Media.MediaKey) != "key" || m.Content.Media.DirectPath != "/v/t62/x" {
		t.Fatalf("kept %+v (media %+v)", m, m.Content.Media)
	}
	// Delivered again after a lost ack: still one message, as first kept.
	again := inbound("3EB0IMG", grp, bob, message.TextContent("changed?"))
	f.handle(ports.TransportMessage{Message: again})
	if m := f.kept("3EB0IMG"); m.Content.Text != "sunset" {
		t.Fatalf("redelivery replaced the message: %+v", m.Content)
	}
}

func TestIngestKeeps_EditsRevokesAndReactions(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.handle(ports.TransportMessage{Message: inbound("3EB0ORIG", grp, bob, message.TextContent("helo"))})
	target := &message.Reference{Chat: grp, ID: "3EB0ORIG", Sender: bobJID}

	edit := inbound("3EB0EDIT", grp, bob, message.Content{Kind: message.KindEdit, Text: "hello", Target: target})
	edit.Timestamp = t0.Add(time.Minute)
	f.only(ports.TransportMessage{Message: edit}, event.MessageEdited)
	react := inbound("3EB0REACT", grp, citra, message.Content{Kind: message.KindReaction, Emoji: "👍", Target: target})
	f.only(ports.TransportMessage{Message: react}, event.MessageReaction)
	m := f.kept("3EB0ORIG")
	if m.Content.Text != "hello" || !m.EditedAt.Equal(t0.Add(time.Minute)) || len(m.Reactions) != 1 ||
		m.Reactions[0] != (message.Reaction{By: citraLID, Emoji: "👍", At: t0}) {
		t.Fatalf("after edit and reaction: %+v", m)
	}
	if _, err := f.mem.Inbound().Get(f.ctx, "alice", "3EB0REACT"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("a reaction was kept as a message of its own: %v", err)
	}

	unreact := inbound("3EB0UNREACT", grp, citra, message.Content{Kind: message.KindReaction, Target: target})
	f.only(ports.TransportMessage{Message: unreact}, event.MessageReaction)
	f.only(ports.TransportMessage{Message: inbound("3EB0REVOKE", grp, bob, message.Content{Kind: message.KindRevoke, Target: target})},
		event.MessageRevoked)
	m = f.kept("3EB0ORIG")
	if len(m.Reactions) != 0 || !m.Revoked() || m.Content.Text != "" {
		t.Fatalf("after removing the reaction and revoking: %+v", m)
	}

	// Edits and revokes of messages never received here (ours, or older) record their event all the same.
	other := &message.Reference{Chat: grp, ID: "3EB0UNSEEN", Sender: bobJID}
	f.only(ports.TransportMessage{Message: inbound("3EB0EDIT2", grp, bob, message.Content{Kind: message.KindEdit, Text: "x", Target: other})},
		event.MessageEdited)
	f.only(ports.TransportMessage{Message: inbound("3EB0REVOKE2", grp, bob, message.Content{Kind: message.KindRevoke, Target: other})},
		event.MessageRevoked)
}

func TestIngestKeeps_HistoryMessages(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.only(ports.TransportHistorySync{SessionID: "alice", Progress: 10, Messages: []message.Inbound{
		inbound("3EB0OLD", bobJID, bob, message.TextContent("old")),
		inbound("3EB0OLDREACT", bobJID, bob, message.Content{Kind: message.KindReaction, Emoji: "😂",
			Target: &message.Reference{Chat: bobJID, ID: "3EB0OLD", Sender: bobJID}}),
	}}, event.HistorySync)
	m := f.kept("3EB0OLD")
	if !m.History || m.Content.Text != "old" || len(m.Reactions) != 1 || m.Reactions[0].Emoji != "😂" {
		t.Fatalf("history message %+v", m)
	}
}

// refusingInbound is a store whose inbound messages refuse every write.
type refusingInbound struct{ ports.Store }

type refusingRepos struct{ ports.Repositories }

type refusedInbound struct{ ports.InboundMessages }

var errInboundRefused = errors.New("inbound messages refused")

func (s refusingInbound) InTx(ctx context.Context, fn func(ports.Repositories) error) error {
	return s.Store.InTx(ctx, func(r ports.Repositories) error { return fn(refusingRepos{r}) })
}
func (s refusingInbound) InGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	return s.Store.InGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error { return fn(ctx, refusingRepos{r}) })
}
func (r refusingRepos) Inbound() ports.InboundMessages {
	return refusedInbound{r.Repositories.Inbound()}
}
func (refusedInbound) Save(context.Context, message.Inbound, time.Time) error {
	return errInboundRefused
}

// The message and its event are one transaction: neither is kept without the other.
func TestIngestKeeps_TheMessageAndItsEventTogether(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	in := ingest.NewIngest(refusingInbound{f.mem}, appworld.FakeQR{}, appworld.FixedClock{T: tNow}, notify.NewHub(), appworld.Discard)
	// Refused for good: the observation is parked (and acked), nothing else is kept.
	if err := in.Handle(f.ctx, ports.TransportMessage{Message: inbound("3EB0X", bobJID, bob, message.TextContent("hi"))}); err != nil {
		t.Fatal(err)
	}
	if evs := f.all(); len(evs) != 0 || in.Parked() != 1 {
		t.Fatalf("events kept without their message: %+v (parked %d)", evs, in.Parked())
	}
}
