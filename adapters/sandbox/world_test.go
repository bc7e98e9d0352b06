package sandbox

import (
	"context"
	"reflect"
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/ports"
)

func TestContacts(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	for _, c := range []ports.SandboxContact{{Phone: "+62 822-2222-2222", Name: "Bob"}, {Phone: "6281111111111", Name: "Alice"}} {
		if _, err := n.AddContact(c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.AddContact(ports.SandboxContact{Phone: "123"}); err == nil {
		t.Fatal("too short a phone accepted")
	}
	want := []ports.SandboxContact{
		{Phone: "6281111111111", Name: "Alice", JID: chat.UserJID("6281111111111"), LID: lidFor("6281111111111")},
		{Phone: "6282222222222", Name: "Bob", JID: chat.UserJID("6282222222222"), LID: lidFor("6282222222222")},
	}
	if got := n.VirtualContacts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Contacts = %+v", got)
	}
}

func TestClosedNetworkRefusesStart(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background(), "s2", &recordingSink{}); err == nil {
		t.Fatal("Start after Close")
	}
}
