package chat_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

var id62 = chat.Normalizer{DefaultCountryCode: "62"}

func TestNormalize_ValidInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"leading zero gets country code", "081234567890", "6281234567890@s.whatsapp.net"},
		{"international form kept", "6281234567890", "6281234567890@s.whatsapp.net"},
		{"leading 00 stripped", "006281234567890", "6281234567890@s.whatsapp.net"},
		{"plus, spaces and dashes dropped", "+62 812-3456-7890", "6281234567890@s.whatsapp.net"},
		{"parentheses and dots dropped", "(0812) 3456.7890", "6281234567890@s.whatsapp.net"},
		{"surrounding whitespace", "  081234567890\t", "6281234567890@s.whatsapp.net"},
		{"legacy c.us becomes s.whatsapp.net", "12345678@c.us", "12345678@s.whatsapp.net"},
		{"upper-case server", "6281234567890@S.WHATSAPP.NET", "6281234567890@s.whatsapp.net"},
		{"device part stripped", "6281:12@s.whatsapp.net", "6281@s.whatsapp.net"},
		{"device part stripped on lid", "123456789:3@lid", "123456789@lid"},
		{"user JID kept", "6281234567890@s.whatsapp.net", "6281234567890@s.whatsapp.net"},
		{"lid kept", "214157424558162@lid", "214157424558162@lid"},
		{"group kept", "120363041234567890@g.us", "120363041234567890@g.us"},
		{"legacy group kept", "6281234567890-1600000000@g.us", "6281234567890-1600000000@g.us"},
		{"newsletter kept", "120363999999999999@newsletter", "120363999999999999@newsletter"},
		{"status broadcast kept", "status@broadcast", "status@broadcast"},
		{"broadcast list kept", "1600000000@broadcast", "1600000000@broadcast"},
		{"7 digits minimum", "1234567", "1234567@s.whatsapp.net"},
		{"15 digits maximum", "123456789012345", "123456789012345@s.whatsapp.net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := id62.Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%q) error %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Fatalf("Normalize(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalize_InvalidInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"letters only", "budi"},
		{"too short", "123456"},
		{"too short after country code", "0123"},
		{"too long", "1234567890123456"},
		{"unknown server", "6281234567890@example.com"},
		{"user JID with letters", "62812abc@s.whatsapp.net"},
		{"lid with letters", "abc@lid"},
		{"plus in JID user", "+6281234567890@s.whatsapp.net"},
		{"missing user", "@s.whatsapp.net"},
		{"missing server", "6281234567890@"},
		{"device only user", ":12@s.whatsapp.net"},
		{"group with letters", "abc@g.us"},
		{"group with two dashes", "1-2-3@g.us"},
		{"group with empty timestamp", "123-@g.us"},
		{"newsletter with letters", "news@newsletter"},
		{"broadcast other than status", "everyone@broadcast"},
		{"two at signs", "a@b@g.us"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := id62.Normalize(tt.in)
			if !fault.Is(err, fault.KindInvalid) {
				t.Fatalf("Normalize(%q) = %v, %v; want a KindInvalid error", tt.in, got, err)
			}
			if !got.IsZero() {
				t.Fatalf("Normalize(%q) returned %v with its error", tt.in, got)
			}
		})
	}
}

func TestNormalize_EmptyIsMissingParameter(t *testing.T) {
	t.Parallel()
	_, err := id62.Normalize(" ")
	if fe, ok := fault.As(err); !ok || fe.Reason != fault.ReasonMissingParameter {
		t.Fatalf("err = %v, want missing_parameter", err)
	}
}

func TestNormalize_ConfigurableCountryCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cc, in, want string
	}{
		{"1", "02025550123", "12025550123@s.whatsapp.net"},
		{"44", "07911123456", "447911123456@s.whatsapp.net"},
		{"1", "0062812345678", "62812345678@s.whatsapp.net"}, // 00 is international, not local
		{"1", "62812345678", "62812345678@s.whatsapp.net"},   // no leading 0: untouched
	}
	for _, tt := range tests {
		t.Run(tt.cc+"_"+tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := chat.Normalizer{DefaultCountryCode: tt.cc}.Normalize(tt.in)
			if err != nil || got.String() != tt.want {
				t.Fatalf("Normalize(%q) with cc %s = %v, %v; want %s", tt.in, tt.cc, got, err, tt.want)
			}
		})
	}
}

func TestPhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"081234567890", "6281234567890"},
		{"+62 812-3456-7890", "6281234567890"},
		{"0062812", "62812"},
		{"", ""},
		{"abc", ""},
	}
	for _, tt := range tests {
		if got := id62.Phone(tt.in); got != tt.want {
			t.Errorf("Phone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func jidStrings(js []chat.JID) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.String()
	}
	return out
}

func TestNormalizeAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"local and international forms are one recipient", []string{"081234567890", "6281234567890", "+62 812 3456 7890"},
			[]string{"6281234567890@s.whatsapp.net"}},
		{"c.us and s.whatsapp.net are one recipient", []string{"6281234567890@c.us", "6281234567890@s.whatsapp.net"},
			[]string{"6281234567890@s.whatsapp.net"}},
		{"splits on comma, semicolon and newlines keeping order", []string{"6281111111111,6282222222222;6283333333333\n6284444444444\r\n6285555555555"},
			[]string{"6281111111111@s.whatsapp.net", "6282222222222@s.whatsapp.net", "6283333333333@s.whatsapp.net",
				"6284444444444@s.whatsapp.net", "6285555555555@s.whatsapp.net"}},
		{"keeps first-seen order across entries", []string{"6283333333333", "120363041234567890@g.us", "6281111111111", "083333333333"},
			[]string{"6283333333333@s.whatsapp.net", "120363041234567890@g.us", "6281111111111@s.whatsapp.net"}},
		{"blank parts are skipped", []string{" , ;6281111111111;; ", ""},
			[]string{"6281111111111@s.whatsapp.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := id62.NormalizeAll(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(jidStrings(got), tt.want) {
				t.Fatalf("NormalizeAll(%q) = %v, want %v", tt.in, jidStrings(got), tt.want)
			}
		})
	}
}

func TestNormalizeAll_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         []string
		wantReason fault.Reason
	}{
		{"nil list", nil, fault.ReasonMissingParameter},
		{"empty list", []string{}, fault.ReasonMissingParameter},
		{"only separators", []string{" ,; \n"}, fault.ReasonMissingParameter},
		{"one bad entry fails the lot", []string{"6281111111111", "abc@g.us"}, fault.ReasonInvalidParameter},
		{"bad entry inside a split list", []string{"6281111111111,12"}, fault.ReasonInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := id62.NormalizeAll(tt.in)
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.KindInvalid || fe.Reason != tt.wantReason {
				t.Fatalf("NormalizeAll(%q) = %v, %v; want invalid/%s", tt.in, got, err, tt.wantReason)
			}
			if got != nil {
				t.Fatalf("partial result returned with error: %v", got)
			}
		})
	}
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	got := chat.SplitList("a,b;c\nd\r\ne,,f")
	want := []string{"a", "b", "c", "d", "e", "f"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SplitList = %q, want %q", got, want)
	}
}

func TestJID_Kind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		server string
		want   chat.Kind
		name   string
	}{
		{chat.ServerUser, chat.KindUser, "user"},
		{chat.ServerLID, chat.KindLID, "lid"},
		{chat.ServerGroup, chat.KindGroup, "group"},
		{chat.ServerNewsletter, chat.KindNewsletter, "newsletter"},
		{chat.ServerBroadcast, chat.KindBroadcast, "broadcast"},
		{chat.ServerLegacyUser, chat.KindUnknown, "unknown"}, // only a parse-time alias
		{"example.com", chat.KindUnknown, "unknown"},
		{"", chat.KindUnknown, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			t.Parallel()
			j := chat.JID{User: "1", Server: tt.server}
			if j.Kind() != tt.want || j.Kind().String() != tt.name {
				t.Fatalf("Kind(%s) = %v (%s), want %v (%s)", tt.server, j.Kind(), j.Kind(), tt.want, tt.name)
			}
		})
	}
}

func TestJID_StringAndZero(t *testing.T) {
	t.Parallel()
	if s := chat.UserJID("628").String(); s != "628@s.whatsapp.net" {
		t.Fatalf("UserJID = %s", s)
	}
	if s := (chat.JID{Server: chat.ServerBroadcast}).String(); s != "broadcast" {
		t.Fatalf("server-only JID = %s", s)
	}
	if !(chat.JID{}).IsZero() || chat.UserJID("1").IsZero() {
		t.Fatal("IsZero is wrong")
	}
}

func TestParseJID_KeepsKindOfEachServer(t *testing.T) {
	t.Parallel()
	tests := map[string]chat.Kind{
		"6281234567890@s.whatsapp.net": chat.KindUser,
		"6281234567890@c.us":           chat.KindUser,
		"214157424558162@lid":          chat.KindLID,
		"120363041234567890@g.us":      chat.KindGroup,
		"120363999@newsletter":         chat.KindNewsletter,
		"status@broadcast":             chat.KindBroadcast,
	}
	for in, want := range tests {
		j, err := chat.ParseJID(in)
		if err != nil || j.Kind() != want {
			t.Errorf("ParseJID(%q) = %v (%v), %v; want kind %v", in, j, j.Kind(), err, want)
		}
		if strings.Contains(j.String(), ":") {
			t.Errorf("device part left in %s", j)
		}
	}
}

func TestCheckSendable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		jid  string
		want bool
	}{
		{"6281234567890@s.whatsapp.net", true},
		{"214157424558162@lid", true},
		{"120363041234567890@g.us", true},
		{"status@broadcast", false},
		{"1600000000@broadcast", false},
		{"120363999999999999@newsletter", false},
	}
	for _, tt := range tests {
		t.Run(tt.jid, func(t *testing.T) {
			t.Parallel()
			j, err := chat.ParseJID(tt.jid)
			if err != nil {
				t.Fatal(err)
			}
			err = j.CheckSendable()
			if tt.want {
				if err != nil {
					t.Fatalf("CheckSendable(%s) = %v", tt.jid, err)
				}
				return
			}
			if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindInvalid || fe.Reason != fault.ReasonRecipientInvalid || !strings.Contains(fe.Msg, tt.jid) {
				t.Fatalf("CheckSendable(%s) = %v, want invalid recipient_invalid naming it", tt.jid, err)
			}
		})
	}
	if err := (chat.JID{User: "x", Server: "example.com"}).CheckSendable(); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("unknown server: %v", err)
	}
}
