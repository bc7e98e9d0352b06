package httpapi_test

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

type standingClock struct{ t time.Time }

func (c standingClock) Now() time.Time { return c.t }

// The events API serves each event's `data` exactly as the webhook body carries it
// (without the sessionId the webhook adds): compared byte for byte with
// testdata/events_api.golden.json. Regenerate with -update.
func TestEventsAPIDataMatchesGolden(t *testing.T) {
	t.Parallel()
	store := appworld.NewStore(t)
	a := newAppOn(t, store, func(*command.Config) {})
	key, id := a.user(t, "alice")
	ctx := context.Background()
	u, err := store.Users().Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s, err := session.New("s1", u.Registry, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Sessions().Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	in := ingest.NewIngest(store, fakeQR{}, standingClock{at.Add(time.Hour)}, notify.NewHub(), slog.New(slog.DiscardHandler))
	group := chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	bob := chat.Party{JID: chat.UserJID("6282222222222"), LID: chat.JID{User: "222222222222222", Server: chat.ServerLID}, PushName: "Bob"}
	text := message.TextContent("@dedi look <here> & 🎉")
	text.Mentions = []chat.JID{chat.UserJID("6284444444444")}
	text.Reply = &message.Reference{Chat: group, ID: "3EB0QUOTED", Sender: chat.UserJID("6284444444444")}
	doc := message.Content{Kind: message.KindDocument, Text: "invoice", Media: &message.Media{MIME: "application/pdf", FileName: "invoice.pdf",
		Size: 2048, Pages: 2, URL: "https://mmg.whatsapp.net/d/f/y.enc", DirectPath: "/v/t62/y", MediaKey: []byte("key"), FileSHA256: []byte("sha")}}
	for _, e := range []ports.TransportEvent{
		ports.TransportConnected{SessionID: "s1", Me: session.Identity{JID: "6281111111111@s.whatsapp.net", Name: "Alice"}},
		ports.TransportMessage{Message: message.Inbound{ID: "3EB0GRP", SessionID: "s1", Chat: group, Sender: bob, Content: text, Timestamp: at}},
		ports.TransportMessage{Message: message.Inbound{ID: "3EB0DOC", SessionID: "s1", Chat: bob.JID, Sender: bob, Content: doc, Timestamp: at}},
		ports.TransportMessage{Message: message.Inbound{ID: "3EB0REACT", SessionID: "s1", Chat: group, Sender: bob, Timestamp: at,
			Content: message.Content{Kind: message.KindReaction, Emoji: "❤️", Target: &message.Reference{Chat: group, ID: "3EB0GRP", Sender: bob.JID}}}},
		ports.TransportCall{SessionID: "s1", CallID: "CALL1", From: bob, State: ports.CallOffer, At: at},
	} {
		if err := in.Handle(ctx, e); err != nil {
			t.Fatalf("Handle(%T): %v", e, err)
		}
	}
	var lines []string
	waitFor(t, "six events in the log", func() bool {
		var p struct {
			Events []eventFrame `json:"events"`
		}
		a.do(t, http.MethodGet, "/api/v1/events?sessionId=s1", key, nil).result(t, 0, &p)
		lines = lines[:0]
		for _, e := range p.Events {
			lines = append(lines, e.Event+" "+string(e.Data))
		}
		return len(lines) == 6
	})
	got := []byte(strings.Join(lines, "\n") + "\n")
	appworld.Golden(t, filepath.Join("testdata", "events_api.golden.json"), got, *update)
}
