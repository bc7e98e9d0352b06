package sandbox

import (
	"context"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

func TestProfilesFollowPrivacy(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "alice", "628111111111")
	startPaired(t, n, "bob", "628222222222")
	ctx := context.Background()
	if err := n.SetAbout(ctx, "bob", "busy"); err != nil {
		t.Fatal(err)
	}
	pic, err := n.SetPicture(ctx, "bob", []byte{0xFF, 0xD8, 0xFF, 0xE0})
	if err != nil || pic == "" {
		t.Fatalf("picture %q %v", pic, err)
	}
	if _, err := n.SetPicture(ctx, "bob", []byte("GIF89a")); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("GIF picture = %v", err)
	}
	if err := n.SetBusinessProfile(ctx, "bob", &ports.BusinessProfile{Category: "Shop"}); err != nil {
		t.Fatal(err)
	}
	p, _ := n.Profile(ctx, "alice", chat.UserJID("628222222222"))
	if p.About != "busy" || p.PictureID != pic || p.Business == nil || p.Business.Category != "Shop" || p.Party.LID != lidFor("628222222222") {
		t.Fatalf("profile %+v", p)
	}
	if _, err := n.SetPrivacy(ctx, "bob", ports.Privacy{About: ports.PrivacyContacts, ProfilePhoto: ports.PrivacyNone}); err != nil {
		t.Fatal(err)
	}
	if p, _ := n.Profile(ctx, "alice", chat.UserJID("628222222222")); p.About != "" || p.PictureID != "" {
		t.Fatalf("hidden profile shown %+v", p)
	}
	mustSend(t, n, "bob", chat.UserJID("628111111111"), message.TextContent("hi")) // now contacts
	if p, _ := n.Profile(ctx, "alice", chat.UserJID("628222222222")); p.About != "busy" || p.PictureID != "" {
		t.Fatalf("contact sees %+v", p)
	}
	if p, _ := n.Profile(ctx, "bob", chat.JID{}); p.PictureID != pic || p.Party.PushName != "User 628222222222" {
		t.Fatalf("own profile %+v", p)
	}
	if _, err := n.SetPrivacy(ctx, "bob", ports.Privacy{Online: ports.PrivacyContacts}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("online=contacts accepted: %v", err)
	}
	if err := n.SetPushName(ctx, "bob", "Robert"); err != nil {
		t.Fatal(err)
	}
	if dev, _ := n.Device(ctx, "bob"); dev.Name != "Robert" {
		t.Fatalf("device %+v", dev)
	}
}

func TestIdentifyAndContacts(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	ctx := context.Background()
	n.AddContact(ports.SandboxContact{Phone: "628333333333", Name: "Carol"})
	byLID, err := n.Identify(ctx, "s1", lidFor("628333333333"))
	if err != nil || byLID.JID != chat.UserJID("628333333333") || byLID.PushName != "Carol" {
		t.Fatalf("by LID %+v %v", byLID, err)
	}
	if byPhone, _ := n.Identify(ctx, "s1", chat.UserJID("628333333333")); byPhone != byLID {
		t.Fatalf("by phone %+v", byPhone)
	}
	if _, err := n.Identify(ctx, "s1", chat.JID{User: "1", Server: chat.ServerLID}); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("unknown LID = %v", err)
	}
	// Messages to a LID reach the person behind it.
	mustSend(t, n, "s1", lidFor("628333333333"), message.TextContent("hi"))
	got, _ := n.Contacts(ctx, "s1")
	if len(got) != 1 || got[0] != byLID {
		t.Fatalf("contacts %+v", got)
	}
}
