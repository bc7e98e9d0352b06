package message_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

var statuses = []message.Status{message.StatusQueued, message.StatusSent, message.StatusDelivered, message.StatusRead, message.StatusPlayed, message.StatusFailed}

// allowed is the expected ack machine: forward only (played ranks after read), failed
// only from queued, failed and played terminal.
var allowed = map[message.Status][]message.Status{
	message.StatusQueued:    {message.StatusSent, message.StatusDelivered, message.StatusRead, message.StatusPlayed, message.StatusFailed},
	message.StatusSent:      {message.StatusDelivered, message.StatusRead, message.StatusPlayed},
	message.StatusDelivered: {message.StatusRead, message.StatusPlayed},
	message.StatusRead:      {message.StatusPlayed},
	message.StatusPlayed:    {},
	message.StatusFailed:    {},
}

func TestStatus_CanBecome_FullTable(t *testing.T) {
	t.Parallel()
	for _, from := range statuses {
		want := map[message.Status]bool{}
		for _, to := range allowed[from] {
			want[to] = true
		}
		for _, to := range append(statuses, "bogus") {
			t.Run(fmt.Sprintf("%s_to_%s", from, to), func(t *testing.T) {
				t.Parallel()
				if got := from.CanBecome(to); got != want[to] {
					t.Fatalf("%s.CanBecome(%s) = %v, want %v", from, to, got, want[to])
				}
			})
		}
	}
	for _, to := range statuses {
		if message.Status("bogus").CanBecome(to) {
			t.Errorf("unknown status may become %s", to)
		}
	}
}

func TestStatus_Valid(t *testing.T) {
	t.Parallel()
	for _, s := range statuses {
		if !s.Valid() {
			t.Errorf("%s invalid", s)
		}
	}
	if message.Status("").Valid() || message.Status("pending").Valid() {
		t.Error("unknown status valid")
	}
}

var to = chat.UserJID("6281234567890")

func TestNewOutbound_Text(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		to         chat.JID
		text       string
		wantReason fault.Reason // "" means success
	}{
		{"plain text", to, "hello", ""},
		{"max length in runes", to, strings.Repeat("é", message.MaxTextLength), ""},
		{"text with surrounding spaces kept", to, "  hi  ", ""},
		{"empty text", to, "", fault.ReasonMissingParameter},
		{"whitespace only", to, " \n\t ", fault.ReasonMissingParameter},
		{"one rune too long", to, strings.Repeat("a", message.MaxTextLength+1), fault.ReasonInvalidParameter},
		{"zero recipient", chat.JID{}, "hello", fault.ReasonMissingParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			local := t0.In(time.FixedZone("X", 3600))
			c := message.TextContent(tt.text)
			c.Reply = &message.Reference{Chat: tt.to, ID: "3EB0QUOTE"}
			c.Forwarded = true
			m, err := message.NewOutbound("3EB0AA", "s1", tt.to, c, local)
			if tt.wantReason != "" {
				fe, ok := fault.As(err)
				if !ok || fe.Kind != fault.KindInvalid || fe.Reason != tt.wantReason {
					t.Fatalf("err = %v, want invalid/%s", err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := message.Outbound{ID: "3EB0AA", SessionID: "s1", To: tt.to,
				Content: message.Content{Kind: message.KindText, Text: tt.text, Reply: &message.Reference{Chat: tt.to, ID: "3EB0QUOTE"}, Forwarded: true},
				Status:  message.StatusQueued, CreatedAt: t0, UpdatedAt: t0}
			if !reflect.DeepEqual(m, want) {
				t.Fatalf("NewOutbound = %+v\nwant %+v", m, want)
			}
			if m.CreatedAt.Location() != time.UTC {
				t.Fatalf("CreatedAt not in UTC: %v", m.CreatedAt)
			}
		})
	}
}

func TestAdvance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		from, next message.Status
		want       bool
	}{
		{"queued to sent", message.StatusQueued, message.StatusSent, true},
		{"sent to read skips delivered", message.StatusSent, message.StatusRead, true},
		{"queued to failed", message.StatusQueued, message.StatusFailed, true},
		{"read to delivered is a late ack", message.StatusRead, message.StatusDelivered, false},
		{"delivered twice", message.StatusDelivered, message.StatusDelivered, false},
		{"sent to failed", message.StatusSent, message.StatusFailed, false},
		{"failed to sent", message.StatusFailed, message.StatusSent, false},
		{"to unknown", message.StatusQueued, "bogus", false},
		{"read to played", message.StatusRead, message.StatusPlayed, true},
		{"played to read is a late ack", message.StatusPlayed, message.StatusRead, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := message.NewOutbound("id", "s1", to, message.TextContent("hi"), t0)
			if err != nil {
				t.Fatal(err)
			}
			m.Status = tt.from
			before := m
			at := t0.Add(time.Minute)
			got := m.Advance(tt.next, "boom", at)
			if got != tt.want {
				t.Fatalf("Advance(%s→%s) = %v, want %v", tt.from, tt.next, got, tt.want)
			}
			if !tt.want {
				if !reflect.DeepEqual(m, before) {
					t.Fatalf("refused Advance changed the message: %+v", m)
				}
				return
			}
			if m.Status != tt.next || m.UpdatedAt != at {
				t.Fatalf("after Advance: %+v", m)
			}
			wantReason := ""
			if tt.next == message.StatusFailed {
				wantReason = "boom"
			}
			if m.FailReason != wantReason {
				t.Fatalf("FailReason = %q, want %q", m.FailReason, wantReason)
			}
		})
	}
}

func TestInbound_IsGroup(t *testing.T) {
	t.Parallel()
	g, _ := chat.ParseJID("120363041234567890@g.us")
	if !(message.Inbound{Chat: g}).IsGroup() {
		t.Fatal("group chat not a group")
	}
	if (message.Inbound{Chat: to}).IsGroup() {
		t.Fatal("user chat is a group")
	}
}
