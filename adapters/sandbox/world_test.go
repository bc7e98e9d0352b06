package sandbox

import (
	"context"
	"reflect"
	"testing"
)

func TestContacts(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	n.AddContact("+62 822-2222-2222", "Bob")
	n.AddContact("6281111111111", "Alice")
	n.AddContact("123", "too short, ignored")
	want := []Contact{{Phone: "6281111111111", Name: "Alice"}, {Phone: "6282222222222", Name: "Bob"}}
	if got := n.Contacts(); !reflect.DeepEqual(got, want) {
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
