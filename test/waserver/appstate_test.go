package waserver_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

// App state as WhatsApp syncs it: the phone shares its key with each new companion
// once, the companion syncs every collection and takes its push name from
// critical_block; a patch a companion uploads is checked (MACs, LTHash) and
// recorded, and the account's other companion hears of it (server_sync) and
// applies it; an upload made at a stale version is refused with the patches it
// missed, which whatsmeow applies before it sends again.
func TestAppStateSync(t *testing.T) {
	t.Parallel()
	srv := waserver.New(t)
	phone := waserver.NewPhone("15550001111", "100200300")
	phone.Name = "Alice"
	a := &peer{phone: phone}
	a.cli, a.evts = newClient(t, srv)
	a.jid = pair(t, srv, a.cli, a.evts, phone) // returns once the sync is complete
	if a.cli.Store.PushName != "Alice" {
		t.Fatalf("push name after the sync = %q, want the phone's", a.cli.Store.PushName)
	}
	if err := a.cli.SendPresence(t.Context(), types.PresenceAvailable); err != nil {
		t.Fatalf("presence with the synced push name: %v", err)
	}

	b := &peer{phone: phone}
	b.cli, b.evts = newClient(t, srv)
	b.jid = pair(t, srv, b.cli, b.evts, phone)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	chat := types.NewJID("15550002222", types.DefaultUserServer)
	if err := a.cli.SendAppState(ctx, appstate.BuildArchive(chat, true, time.Now(), nil)); err != nil {
		t.Fatalf("archive: %v", err)
	}
	awaitThat(t, b.evts, "the other companion's sync of the archive", func(e *events.AppStateSyncComplete) bool {
		return e.Name == appstate.WAPatchRegularLow && e.Version == 1
	})
	if settings, err := b.cli.Store.ChatSettings.GetChatSettings(ctx, chat); err != nil || !settings.Archived {
		t.Errorf("the other companion's chat settings = %+v (%v), want archived", settings, err)
	}

	// b forgets how far it synced regular_low: its next upload is stale.
	if err := b.cli.Store.AppState.DeleteAppStateVersion(ctx, string(appstate.WAPatchRegularLow)); err != nil {
		t.Fatal(err)
	}
	if err := b.cli.SendAppState(ctx, appstate.BuildPin(chat, true)); err != nil {
		t.Fatalf("pin after a conflict: %v", err)
	}

	changes := srv.AppState(a.jid)
	wantKinds := []string{"setting_pushName", "archive", "pin_v1", "pin_v1"} // an archive unpins too
	var kinds []string
	for _, c := range changes {
		kinds = append(kinds, c.Index[0])
	}
	if !slices.Equal(kinds, wantKinds) {
		t.Fatalf("app state changes = %v, want %v", kinds, wantKinds)
	}
	if c := changes[0]; c.Collection != "critical_block" || c.Version != 1 || !c.Device.IsEmpty() || c.Action.GetPushNameSetting().GetName() != "Alice" {
		t.Errorf("phone's push name change = %+v", c)
	}
	if c := changes[1]; c.Collection != "regular_low" || c.Version != 1 || c.Device != a.jid || c.Index[1] != chat.String() {
		t.Errorf("archive = %+v, want regular_low v1 from %v about %v", c, a.jid, chat)
	}
	if c := changes[3]; c.Collection != "regular_low" || c.Version != 2 || c.Device != b.jid || !c.Action.GetPinAction().GetPinned() {
		t.Errorf("pin = %+v, want regular_low v2 from %v", c, b.jid)
	}

	// Every stanza, the key share included, was acknowledged: none is owed again.
	for _, p := range []*peer{a, b} {
		eventually(t, "every stanza acknowledged", func() bool { return srv.Pending(p.jid) == 0 })
	}
}
