package chat_test

import (
	"encoding"
	"encoding/json"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

var (
	_ encoding.TextMarshaler   = chat.JID{}
	_ encoding.TextUnmarshaler = (*chat.JID)(nil)
)

func TestJID_MarshalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		jid  chat.JID
		want string
	}{
		{chat.JID{}, ""},
		{chat.UserJID("6281234567890"), "6281234567890@s.whatsapp.net"},
		{chat.JID{User: "123456789012345", Server: chat.ServerLID}, "123456789012345@lid"},
		{chat.JID{User: "120363041234567890", Server: chat.ServerGroup}, "120363041234567890@g.us"},
		{chat.JID{User: "6281234567890-1600000000", Server: chat.ServerGroup}, "6281234567890-1600000000@g.us"},
		{chat.JID{User: "120363000000000001", Server: chat.ServerNewsletter}, "120363000000000001@newsletter"},
		{chat.JID{User: "status", Server: chat.ServerBroadcast}, "status@broadcast"},
	}
	for _, tt := range tests {
		b, err := tt.jid.MarshalText()
		if err != nil || string(b) != tt.want {
			t.Errorf("MarshalText(%#v) = %q, %v; want %q", tt.jid, b, err, tt.want)
		}
		var back chat.JID
		if err := back.UnmarshalText(b); err != nil || back != tt.jid {
			t.Errorf("UnmarshalText(%q) = %#v, %v; want %#v", b, back, err, tt.jid)
		}
	}
}

func TestJID_UnmarshalText(t *testing.T) {
	t.Parallel()
	ok := []struct{ in, want string }{
		{"6281234567890@c.us", "6281234567890@s.whatsapp.net"},              // legacy server mapped
		{"6281234567890:12@s.whatsapp.net", "6281234567890@s.whatsapp.net"}, // device dropped
		{"6281234567890@S.WhatsApp.Net", "6281234567890@s.whatsapp.net"},    // server case folded
	}
	for _, tt := range ok {
		var j chat.JID
		if err := j.UnmarshalText([]byte(tt.in)); err != nil || j.String() != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %s", tt.in, j, err, tt.want)
		}
	}
	for _, in := range []string{"6281234567890", "@s.whatsapp.net", "6281@", "abc@s.whatsapp.net", "6281@example.com", "x-1@g.us", " "} {
		j := chat.UserJID("6280000000000")
		err := j.UnmarshalText([]byte(in))
		if fe, isFault := fault.As(err); !isFault || fe.Kind != fault.KindInvalid {
			t.Errorf("UnmarshalText(%q) err = %v, want invalid", in, err)
		}
		if j != chat.UserJID("6280000000000") {
			t.Errorf("UnmarshalText(%q) changed the JID to %v despite the error", in, j)
		}
	}
	// The empty text resets to the zero JID.
	j := chat.UserJID("6280000000000")
	if err := j.UnmarshalText(nil); err != nil || !j.IsZero() {
		t.Fatalf("UnmarshalText(\"\") = %#v, %v; want zero", j, err)
	}
}

func TestJID_JSON(t *testing.T) {
	t.Parallel()
	type holder struct {
		A chat.JID   `json:"a"`
		B chat.JID   `json:"b,omitzero"`
		L []chat.JID `json:"l"`
	}
	in := holder{A: chat.UserJID("6281"), L: []chat.JID{{User: "1", Server: chat.ServerLID}, {}}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"a":"6281@s.whatsapp.net","l":["1@lid",""]}` {
		t.Fatalf("json %s", raw)
	}
	var out holder
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	if out.A != in.A || !out.B.IsZero() || len(out.L) != 2 || out.L[0] != in.L[0] || !out.L[1].IsZero() {
		t.Fatalf("back %+v", out)
	}
	if err := json.Unmarshal([]byte(`{"a":"not a jid"}`), &out); err == nil {
		t.Fatal("an invalid JID decoded")
	}
}

func TestParty(t *testing.T) {
	t.Parallel()
	phone, lid := chat.UserJID("6281234567890"), chat.JID{User: "123456789012345", Server: chat.ServerLID}
	tests := []struct {
		name     string
		p        chat.Party
		wantZero bool
		wantBest chat.JID
	}{
		{"phone and LID", chat.Party{JID: phone, LID: lid, PushName: "Budi"}, false, phone},
		{"phone only", chat.Party{JID: phone}, false, phone},
		{"LID only", chat.Party{LID: lid, PushName: "Budi"}, false, lid},
		{"nothing", chat.Party{}, true, chat.JID{}},
		{"a push name alone is nobody", chat.Party{PushName: "Budi"}, true, chat.JID{}},
	}
	for _, tt := range tests {
		if got := tt.p.IsZero(); got != tt.wantZero {
			t.Errorf("%s: IsZero = %v, want %v", tt.name, got, tt.wantZero)
		}
		if got := tt.p.Best(); got != tt.wantBest {
			t.Errorf("%s: Best = %v, want %v", tt.name, got, tt.wantBest)
		}
	}
}

func TestParty_JSON(t *testing.T) {
	t.Parallel()
	p := chat.Party{JID: chat.UserJID("6281"), LID: chat.JID{User: "99", Server: chat.ServerLID}, PushName: "Budi"}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"jid":"6281@s.whatsapp.net","lid":"99@lid","pushName":"Budi"}` {
		t.Fatalf("json %s", raw)
	}
	var back chat.Party
	if err := json.Unmarshal(raw, &back); err != nil || back != p {
		t.Fatalf("back %+v %v", back, err)
	}
}
