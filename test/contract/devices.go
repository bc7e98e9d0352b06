package contract

import (
	"testing"

	"github.com/warest-go/warest/ports"
)

// SQLStore is a store that also keeps the sessions' device links (the SQL stores,
// for the WhatsApp transport).
type SQLStore interface {
	ports.Store
	ports.DeviceLinks
}

// RunDeviceLinks checks a session's device link: none at first, put replaces, it
// goes with the session, and a session that does not exist cannot get one.
func RunDeviceLinks(t *testing.T, newStore func(t *testing.T) SQLStore) {
	t.Parallel()
	ctx := t.Context()
	s := newStore(t)
	createSession(t, s, "s1", "OWNER")
	if _, ok, err := s.LinkedDevice(ctx, "s1"); err != nil || ok {
		t.Fatalf("fresh session: ok=%v err=%v, want no device", ok, err)
	}
	must(t, s.LinkDevice(ctx, "s1", "111@s.whatsapp.net"))
	must(t, s.LinkDevice(ctx, "s1", "222@s.whatsapp.net"))
	if jid, ok, err := s.LinkedDevice(ctx, "s1"); err != nil || !ok || jid != "222@s.whatsapp.net" {
		t.Fatalf("LinkedDevice = %q, %v, %v; want the last one", jid, ok, err)
	}
	must(t, s.UnlinkDevice(ctx, "s1"))
	must(t, s.UnlinkDevice(ctx, "s1")) // forgetting none is no error
	if _, ok, err := s.LinkedDevice(ctx, "s1"); err != nil || ok {
		t.Fatalf("after unlink: ok=%v err=%v", ok, err)
	}
	must(t, s.LinkDevice(ctx, "s1", "333@s.whatsapp.net"))
	must(t, s.Sessions().Delete(ctx, "s1"))
	if _, ok, err := s.LinkedDevice(ctx, "s1"); err != nil || ok {
		t.Fatalf("link survived its session: ok=%v err=%v", ok, err)
	}
	if err := s.LinkDevice(ctx, "ghost", "444@s.whatsapp.net"); err == nil {
		t.Fatal("linked a device to a session that does not exist")
	}
}
