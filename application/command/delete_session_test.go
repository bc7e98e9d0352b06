package command_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// blobLog is a BlobStore that records deletions; deleting a key in fail fails.
type blobLog struct {
	mu      sync.Mutex
	deleted []string
	fail    map[string]bool
}

func (b *blobLog) Put(context.Context, string, io.Reader, string) (ports.BlobInfo, error) {
	return ports.BlobInfo{}, errors.New("blobLog: not used")
}

func (b *blobLog) Open(_ context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	return nil, ports.BlobInfo{}, fault.NotFound("", "blob %s not found", key)
}

func (b *blobLog) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deleted = append(b.deleted, key)
	if b.fail[key] {
		return errors.New("disk gone")
	}
	return nil
}

func (b *blobLog) deletions() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Sorted(slices.Values(b.deleted))
}

// Deleting a session deletes its history in the store (no event of it is left,
// and none records the deletion) and the files of its outbound media afterwards; a
// file that cannot be deleted does not undo or fail the deletion. Another
// session's history and files stay.
func TestDeleteSession_TakesItsHistoryAndMediaFilesAlong(t *testing.T) {
	t.Parallel()
	blobs := &blobLog{fail: map[string]bool{"outbound/stuck.jpg": true}}
	w := appworld.New(t, appworld.Options{Blobs: blobs})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	w.OpenSession(w.Other, "bob", bobPhone, "Bob")
	for _, m := range []struct{ session, id, key string }{
		{"alice", "m1", "outbound/a.jpg"}, {"alice", "m2", "outbound/a.jpg"}, {"alice", "m3", "outbound/stuck.jpg"}, {"bob", "m4", "outbound/b.jpg"},
	} {
		out, err := message.NewOutbound(m.id, m.session, chat.UserJID("6283333333333"),
			message.Content{Kind: message.KindImage, Media: &message.Media{MIME: "image/jpeg", BlobKey: m.key}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Store.Messages().Create(w.Ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Net.InjectText("alice", bobPhone, "Bob", "private words"); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Events("alice", event.MessageReceived)) == 1 }, "message not received")
	bobEvents := len(w.Events("bob", ""))

	steps, err := w.Cmd.Teardown.DeleteSession(w.Ctx, w.User, "alice")
	if err != nil || !steps.Meta {
		t.Fatalf("delete = %+v, %v", steps, err)
	}
	if got := blobs.deletions(); !slices.Equal(got, []string{"outbound/a.jpg", "outbound/stuck.jpg"}) {
		t.Fatalf("deleted files %v, want alice's two, once each", got)
	}
	if got := w.Events("alice", ""); len(got) != 0 {
		t.Fatalf("events of the deleted session: %+v", got)
	}
	if _, err := w.Store.Messages().Get(w.Ctx, "alice", "m1"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("message of the deleted session: %v", err)
	}
	if _, err := w.Store.Messages().Get(w.Ctx, "bob", "m4"); err != nil {
		t.Fatalf("bob's message: %v", err)
	}
	if got := len(w.Events("bob", "")); got < bobEvents {
		t.Fatalf("bob has %d events, had %d", got, bobEvents)
	}
}
