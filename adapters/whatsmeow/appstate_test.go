package whatsmeow

import (
	"slices"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waSyncAction"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
	"github.com/warest-go/warest/test/waserver"
)

// Chat and message changes, and the push name, are app state patches: on the
// test server, every one the transport makes arrives at the account's app state (the server's
// phone decodes it, checking its MACs as the account's other devices would) with
// the index and value WhatsApp gives that change.
func TestAppStateChangesOnTestServer(t *testing.T) {
	t.Parallel()
	srv := waserver.New(t)
	tr := newTestServerTransport(t, srv, openDB(t))
	w := &serverWorld{tr: tr, srv: srv, phones: map[string]*waserver.Phone{}}
	sink := &contract.TransportSink{}
	if err := tr.Start(t.Context(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	w.Scan(t, "s1", contract.WaitFor[ports.TransportQR](t, sink, 1, nil)[0].Code, "15550001111")
	contract.WaitFor[ports.TransportConnected](t, sink, 1, nil)
	device := w.device(t, "s1")

	peer, group := chat.UserJID("15550002222"), chat.JID{User: "120363000000000001", Server: chat.ServerGroup}
	until := time.Now().Add(8 * time.Hour).Truncate(time.Millisecond)
	type want struct {
		index  []string
		action func(*waSyncAction.SyncActionValue) bool
	}
	chats := []struct {
		change ports.ChatChange
		want   want
	}{
		{ports.ChatChange{Kind: ports.ChatMute, MuteUntil: until}, want{[]string{"mute", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetMuteAction().GetMuted() && v.GetMuteAction().GetMuteEndTimestamp() == until.UnixMilli()
		}}},
		{ports.ChatChange{Kind: ports.ChatMute}, want{[]string{"mute", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetMuteAction().GetMuted() && v.GetMuteAction().GetMuteEndTimestamp() == -1 // forever
		}}},
		{ports.ChatChange{Kind: ports.ChatUnmute}, want{[]string{"mute", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetMuteAction() != nil && !v.GetMuteAction().GetMuted()
		}}},
		{ports.ChatChange{Kind: ports.ChatArchive}, want{[]string{"archive", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetArchiveChatAction().GetArchived()
		}}},
		{ports.ChatChange{Kind: ports.ChatUnarchive}, want{[]string{"archive", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetArchiveChatAction() != nil && !v.GetArchiveChatAction().GetArchived()
		}}},
		{ports.ChatChange{Kind: ports.ChatPin}, want{[]string{"pin_v1", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetPinAction().GetPinned()
		}}},
		{ports.ChatChange{Kind: ports.ChatUnpin}, want{[]string{"pin_v1", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetPinAction() != nil && !v.GetPinAction().GetPinned()
		}}},
		{ports.ChatChange{Kind: ports.ChatClear}, want{[]string{"clearChat", peer.String(), "1", "0"}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetClearChatAction().GetMessageRange().GetLastMessageTimestamp() > 0
		}}},
	}
	for _, c := range chats {
		before := len(srv.AppState(device))
		if err := tr.ChangeChat(t.Context(), "s1", peer, c.change); err != nil {
			t.Fatalf("%s: %v", c.change.Kind, err)
		}
		assertAppStateChange(t, srv.AppState(device)[before:], string(c.change.Kind), c.want.index, c.want.action)
	}

	before := len(srv.AppState(device))
	if err := tr.SetPushName(t.Context(), "s1", "Own Renamed"); err != nil {
		t.Fatal(err)
	}
	assertAppStateChange(t, srv.AppState(device)[before:], "push name", []string{"setting_pushName"}, func(v *waSyncAction.SyncActionValue) bool {
		return v.GetPushNameSetting().GetName() == "Own Renamed"
	})

	mine := message.Reference{Chat: peer, ID: "3EB0MINE", FromMe: true}
	theirs := message.Reference{Chat: group, ID: "3EB0THEIRS", Sender: peer}
	messages := []struct {
		target message.Reference
		change ports.MessageChange
		want   want
	}{
		{mine, ports.MessageStar, want{[]string{"star", peer.String(), "3EB0MINE", "1", "0"}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetStarAction().GetStarred()
		}}},
		{theirs, ports.MessageStar, want{[]string{"star", group.String(), "3EB0THEIRS", "0", peer.String()}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetStarAction().GetStarred()
		}}},
		{mine, ports.MessageUnstar, want{[]string{"star", peer.String(), "3EB0MINE", "1", "0"}, func(v *waSyncAction.SyncActionValue) bool {
			return v.GetStarAction() != nil && !v.GetStarAction().GetStarred()
		}}},
		{theirs, ports.MessageDeleteForMe, want{[]string{"deleteMessageForMe", group.String(), "3EB0THEIRS", "0", peer.String()},
			func(v *waSyncAction.SyncActionValue) bool {
				return v.GetDeleteMessageForMeAction().GetMessageTimestamp() > 0
			}}},
	}
	for _, m := range messages {
		before := len(srv.AppState(device))
		if err := tr.ChangeMessage(t.Context(), "s1", m.target, m.change); err != nil {
			t.Fatalf("%s %s: %v", m.change, m.target.ID, err)
		}
		assertAppStateChange(t, srv.AppState(device)[before:], string(m.change), m.want.index, m.want.action)
	}
}

// assertAppStateChange checks that one of the changes a call made has the index
// and an action ok accepts, and came from the session's device.
func assertAppStateChange(t *testing.T, changes []waserver.AppStateChange, what string, index []string, ok func(*waSyncAction.SyncActionValue) bool) {
	t.Helper()
	for _, c := range changes {
		if slices.Equal(c.Index, index) && !c.Device.IsEmpty() {
			if !ok(c.Action) {
				t.Errorf("%s: %v has the value %v", what, index, c.Action)
			}
			return
		}
	}
	t.Errorf("%s: no change with the index %v among %+v", what, index, changes)
}
