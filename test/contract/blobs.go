package contract

import (
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// blobTests check how stores find outbound blobs no message needs any more.
var blobTests = []struct {
	name string
	run  func(t *testing.T, s ports.Store)
}{
	{"blob/a shared key is spent once every message carrying it is final and old enough", blobSharedKey},
	{"blob/media and header images of sent or failed messages are spent, text is not", blobKinds},
	{"blob/mark deleted takes a key out for good, later updates included", blobMarkDeleted},
	{"blob/list session blobs returns each key of a session's messages not marked deleted once", blobsOfSession},
}

func blobsOfSession(t *testing.T, s ports.Store) {
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	createAll(t, s, mediaMessage(t, "s1", "m1", "outbound/a.jpg"), mediaMessage(t, "s1", "m2", "outbound/a.jpg"),
		buttonsMessage(t, "s1", "m3", "outbound/b.png"), mediaMessage(t, "s1", "m4", "outbound/gone.jpg"),
		newMessage(t, "s1", "m5", at(0)), mediaMessage(t, "s2", "m6", "outbound/c.jpg"))
	must(t, s.Messages().MarkBlobDeleted(t.Context(), "outbound/gone.jpg"))
	of := func(sessionID string) []string {
		t.Helper()
		keys, err := s.Messages().ListSessionBlobs(t.Context(), sessionID)
		must(t, err)
		slices.Sort(keys)
		return keys
	}
	equal(t, of("s1"), []string{"outbound/a.jpg", "outbound/b.png"})
	equal(t, of("s2"), []string{"outbound/c.jpg"})
	equal(t, of("none"), []string{})
}

func mediaMessage(t *testing.T, sessionID, id, key string) message.Outbound {
	t.Helper()
	m, err := message.NewOutbound(id, sessionID, chat.UserJID("6281234567890"), message.Content{
		Kind: message.KindImage, Media: &message.Media{MIME: "image/jpeg", BlobKey: key, Size: 10},
	}, at(0))
	must(t, err)
	return m
}

func buttonsMessage(t *testing.T, sessionID, id, key string) message.Outbound {
	t.Helper()
	m, err := message.NewOutbound(id, sessionID, chat.UserJID("6281234567890"), message.Content{
		Kind: message.KindButtons, Text: "pick one",
		Buttons: &message.Buttons{Image: &message.Media{MIME: "image/png", BlobKey: key}, Buttons: []message.Button{{ID: "a", Text: "A"}}},
	}, at(0))
	must(t, err)
	return m
}

func createAll(t *testing.T, s ports.Store, msgs ...message.Outbound) {
	t.Helper()
	for _, m := range msgs {
		must(t, s.Messages().Create(t.Context(), m))
	}
}

func advance(t *testing.T, s ports.Store, sessionID, id string, next message.Status, when time.Time) {
	t.Helper()
	_, err := s.Messages().Update(t.Context(), sessionID, id, func(m *message.Outbound) error {
		m.Attempts++
		m.Advance(next, "", when)
		return nil
	})
	must(t, err)
}

func spent(t *testing.T, s ports.Store, before time.Time, limit int) []string {
	t.Helper()
	keys, err := s.Messages().ListSpentBlobs(t.Context(), before, limit)
	must(t, err)
	slices.Sort(keys) // the order is the store's
	return keys
}

func blobSharedKey(t *testing.T, s ports.Store) {
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	// One upload sent to three recipients: one message each, one key.
	createAll(t, s, mediaMessage(t, "s1", "m1", "outbound/a.jpg"), mediaMessage(t, "s1", "m2", "outbound/a.jpg"),
		mediaMessage(t, "s2", "m3", "outbound/a.jpg"))
	equal(t, spent(t, s, at(100), 10), []string{})

	advance(t, s, "s1", "m1", message.StatusSent, at(10))
	advance(t, s, "s2", "m3", message.StatusFailed, at(10))
	equal(t, spent(t, s, at(100), 10), []string{}) // m2 is still queued

	advance(t, s, "s1", "m2", message.StatusSent, at(20))
	equal(t, spent(t, s, at(20), 10), []string{}) // m2 changed at before, not before it
	equal(t, spent(t, s, at(21), 10), []string{"outbound/a.jpg"})

	advance(t, s, "s1", "m1", message.StatusDelivered, at(30)) // an ack restarts the grace
	equal(t, spent(t, s, at(21), 10), []string{})
	equal(t, spent(t, s, at(31), 10), []string{"outbound/a.jpg"})
}

func blobKinds(t *testing.T, s ports.Store) {
	createSession(t, s, "s1", "A")
	createAll(t, s, mediaMessage(t, "s1", "sent", "outbound/sent.jpg"), mediaMessage(t, "s1", "failed", "outbound/failed.jpg"),
		buttonsMessage(t, "s1", "header", "outbound/header.png"), mediaMessage(t, "s1", "queued", "outbound/queued.jpg"),
		newMessage(t, "s1", "text", at(0)))
	advance(t, s, "s1", "sent", message.StatusSent, at(1))
	advance(t, s, "s1", "failed", message.StatusFailed, at(1))
	advance(t, s, "s1", "header", message.StatusSent, at(1))
	advance(t, s, "s1", "text", message.StatusSent, at(1))

	equal(t, spent(t, s, at(2), 10), []string{"outbound/failed.jpg", "outbound/header.png", "outbound/sent.jpg"})
	if got := spent(t, s, at(2), 2); len(got) != 2 {
		t.Fatalf("limit 2 gave %v", got)
	}
}

func blobMarkDeleted(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createAll(t, s, mediaMessage(t, "s1", "m1", "outbound/a.jpg"), mediaMessage(t, "s1", "m2", "outbound/a.jpg"),
		mediaMessage(t, "s1", "m3", "outbound/b.jpg"))
	for _, id := range []string{"m1", "m2", "m3"} {
		advance(t, s, "s1", id, message.StatusSent, at(1))
	}
	must(t, s.Messages().MarkBlobDeleted(ctx, "outbound/a.jpg"))
	must(t, s.Messages().MarkBlobDeleted(ctx, "outbound/unknown.jpg"))
	equal(t, spent(t, s, at(2), 10), []string{"outbound/b.jpg"})

	// Acks after the sweep rewrite the message; the key must stay deleted.
	advance(t, s, "s1", "m1", message.StatusRead, at(3))
	equal(t, spent(t, s, at(4), 10), []string{"outbound/b.jpg"})
	got, err := s.Messages().Get(ctx, "s1", "m1")
	must(t, err)
	equal(t, got.Content.BlobKey(), "outbound/a.jpg") // the content is left as it was
}
