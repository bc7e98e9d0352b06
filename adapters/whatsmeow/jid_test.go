package whatsmeow

import (
	"testing"

	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
)

func TestToDomainDropsDeviceAndFoldsServers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   types.JID
		want chat.JID
	}{
		{types.JID{User: "6281234567890", Server: types.DefaultUserServer, Device: 12}, chat.UserJID("6281234567890")},
		{types.JID{User: "6281234567890", Server: types.LegacyUserServer}, chat.UserJID("6281234567890")},
		{types.JID{User: "6281234567890", Server: types.HostedServer, Device: 99}, chat.UserJID("6281234567890")},
		{types.JID{User: "123456789012345", Server: types.HiddenUserServer, Device: 3}, chat.JID{User: "123456789012345", Server: chat.ServerLID}},
		{types.JID{User: "123456789012345", Server: types.HostedLIDServer}, chat.JID{User: "123456789012345", Server: chat.ServerLID}},
		{types.JID{User: "120363012345678901", Server: types.GroupServer}, chat.JID{User: "120363012345678901", Server: chat.ServerGroup}},
		{types.JID{User: "120363999", Server: types.NewsletterServer}, chat.JID{User: "120363999", Server: chat.ServerNewsletter}},
		{types.StatusBroadcastJID, chat.JID{User: "status", Server: chat.ServerBroadcast}},
	}
	for _, c := range cases {
		if got := toDomain(c.in); got != c.want {
			t.Errorf("toDomain(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestJIDRoundTripsThroughWhatsmeow(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"6281234567890@s.whatsapp.net", "123456789012345@lid", "120363012345678901@g.us", "120363999@newsletter"} {
		d, err := chat.ParseJID(raw)
		if err != nil {
			t.Fatalf("ParseJID(%q): %v", raw, err)
		}
		wm := toJID(d)
		if wm.String() != raw {
			t.Errorf("toJID(%v).String() = %q, want %q", d, wm.String(), raw)
		}
		parsed, err := types.ParseJID(raw)
		if err != nil {
			t.Fatalf("whatsmeow ParseJID(%q): %v", raw, err)
		}
		if back := toDomain(parsed); back != d {
			t.Errorf("toDomain(toJID(%v)) = %v", d, back)
		}
	}
}
