package warestjson_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
)

func stored(t *testing.T, typ event.Type, sessionID string, d event.Data) event.Envelope {
	t.Helper()
	e, err := event.New(typ, sessionID, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), d)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRender_LegacyRowComesBackAsStored(t *testing.T) {
	t.Parallel()
	raw := `{"id":"s1","tags":"text","message":{"key":{"remoteJid":"628@s.whatsapp.net","fromMe":false,"id":"X"}},"text":"\u003cb\u003e"}`
	got, err := warestjson.Renderer{}.Render(stored(t, event.MessageReceived, "s1", event.Legacy(raw)))
	if err != nil || string(got) != raw {
		t.Fatalf("rendered %s, %v", got, err)
	}
}

// The session is the envelope's: the stored data does not repeat it.
func TestRender_IDIsTheEnvelopesSession(t *testing.T) {
	t.Parallel()
	got, err := warestjson.Renderer{}.Render(stored(t, event.WebhookDisabled, "budi-1",
		event.SubscriptionDisabled{SubscriptionID: "sub", URL: "https://x.test/h", Failures: 3, Reason: "HTTP 500"}))
	want := `{"id":"budi-1","subscriptionId":"sub","url":"https://x.test/h","failures":3,"reason":"HTTP 500"}`
	if err != nil || string(got) != want {
		t.Fatalf("rendered %s, %v; want %s", got, err, want)
	}
}

func TestRender_Refuses(t *testing.T) {
	t.Parallel()
	newer := event.Envelope{Type: event.SessionStatus, SessionID: "s1", Payload: json.RawMessage(`{"v":9,"data":{}}`)}
	targetless := stored(t, event.MessageReaction, "s1", event.InboundMessage{ID: "R", Content: message.Content{Kind: message.KindReaction, Emoji: "👍"}})
	for name, e := range map[string]event.Envelope{"a newer stored version": newer, "a reaction without its target": targetless} {
		if got, err := (warestjson.Renderer{}).Render(e); err == nil {
			t.Errorf("%s rendered as %s", name, got)
		}
	}
}
