package event_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
)

// What a payload makes of text WhatsApp can carry: NUL survives (escaped), while
// invalid UTF-8 and a UTF-16 surrogate encoded as UTF-8 become U+FFFD (escaped),
// since the payload is JSON; the result is ASCII-safe JSON whatever the text held.
func TestNew_TextOfAnyBytesBecomesValidJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, want string }{
		{"a\x00b", `"a\u0000b"`},
		{"bad \xff\xfe", `"bad \ufffd\ufffd"`},
		{"lone \xed\xa0\x80", `"lone \ufffd\ufffd\ufffd"`},
	} {
		e, err := event.New(event.MessageReceived, "s1", t0, event.InboundMessage{Content: message.TextContent(c.text)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(e.Payload), `"text":`+c.want) || !utf8.Valid(e.Payload) {
			t.Errorf("%q: payload %q, want the text %q", c.text, e.Payload, c.want)
		}
		back, err := e.Data()
		if err != nil || (c.text == "a\x00b" && back.(event.InboundMessage).Content.Text != c.text) {
			t.Errorf("%q: decodes to %+v, %v", c.text, back, err)
		}
	}
}

func TestNewParked(t *testing.T) {
	t.Parallel()
	p := event.NewParked("s1", "TransportMessage", []byte("{\"t\":\"\x00\xff\"}"), "refused \x00 \xff", t0)
	if p.Reason != "refused \uFFFD \uFFFD" || p.Kind != "TransportMessage" || p.SessionID != "s1" || !p.ParkedAt.Equal(t0) ||
		string(p.Payload) != "{\"t\":\"\x00\xff\"}" {
		t.Fatalf("parked %+v", p)
	}
	// The id derives from what was observed: the same observation parks once,
	// whenever it comes and whatever the reason.
	again := event.NewParked("s1", "TransportMessage", []byte("{\"t\":\"\x00\xff\"}"), "other", t0.Add(1))
	other := event.NewParked("s1", "TransportMessage", []byte(`{"t":"x"}`), "refused", t0)
	if p.ID == "" || again.ID != p.ID || other.ID == p.ID {
		t.Fatalf("ids %s %s %s", p.ID, again.ID, other.ID)
	}
}
