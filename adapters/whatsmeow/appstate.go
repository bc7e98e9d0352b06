package whatsmeow

import (
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// messagePatch builds the app state patch that stars, unstars or deletes (for me) a
// message on every device of the account.
func messagePatch(t message.Reference, change ports.MessageChange, now time.Time) (appstate.PatchInfo, error) {
	target, sender := toJID(t.Chat), toJID(t.Sender)
	if t.FromMe || t.Chat.Kind() != chat.KindGroup || t.Sender.IsZero() {
		sender = target // the index names an author ("0") only for others' group messages
	}
	switch change {
	case ports.MessageStar, ports.MessageUnstar:
		return appstate.BuildStar(target, sender, t.ID, t.FromMe, change == ports.MessageStar), nil
	case ports.MessageDeleteForMe:
		// whatsmeow has no builder for this one; the index mirrors BuildStar's.
		fromMe, senderJID := "0", "0"
		if t.FromMe {
			fromMe = "1"
		}
		if sender != target {
			senderJID = sender.String()
		}
		return appstate.PatchInfo{Type: appstate.WAPatchRegularHigh, Mutations: []appstate.MutationInfo{{
			Index:   []string{appstate.IndexDeleteMessageForMe, target.String(), t.ID, fromMe, senderJID},
			Version: 3,
			Value: &waSyncAction.SyncActionValue{DeleteMessageForMeAction: &waSyncAction.DeleteMessageForMeAction{
				DeleteMedia: proto.Bool(false), MessageTimestamp: proto.Int64(now.UnixMilli())}},
		}}}, nil
	}
	return appstate.PatchInfo{}, fmt.Errorf("whatsmeow: unknown message change %q", change)
}

// chatPatch builds the app state patch that mutes, archives, pins or clears a chat.
func chatPatch(c chat.JID, change ports.ChatChange, now time.Time) (appstate.PatchInfo, error) {
	target := toJID(c)
	switch change.Kind {
	case ports.ChatMute:
		var until *int64 // nil: forever
		if !change.MuteUntil.IsZero() {
			until = proto.Int64(change.MuteUntil.UnixMilli())
		}
		return appstate.BuildMuteAbs(target, true, until), nil
	case ports.ChatUnmute:
		return appstate.BuildMuteAbs(target, false, nil), nil
	case ports.ChatArchive, ports.ChatUnarchive:
		return appstate.BuildArchive(target, change.Kind == ports.ChatArchive, now, nil), nil
	case ports.ChatPin, ports.ChatUnpin:
		return appstate.BuildPin(target, change.Kind == ports.ChatPin), nil
	case ports.ChatClear:
		// Index: chat, "1" to clear starred messages too ("0" keeps them), "0" to keep media files.
		return appstate.PatchInfo{Type: appstate.WAPatchRegularHigh, Mutations: []appstate.MutationInfo{{
			Index:   []string{appstate.IndexClearChat, target.String(), "1", "0"},
			Version: 6,
			Value: &waSyncAction.SyncActionValue{ClearChatAction: &waSyncAction.ClearChatAction{
				MessageRange: &waSyncAction.SyncActionMessageRange{LastMessageTimestamp: proto.Int64(now.Unix())}}},
		}}}, nil
	}
	return appstate.PatchInfo{}, fmt.Errorf("whatsmeow: unknown chat change %q", change.Kind)
}
