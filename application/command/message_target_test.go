package command_test

import (
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/test/appworld"
)

// A message this session received is found by its id alone (the inbound messages):
// its chat, author and fromMe come from what WhatsApp delivered, not from the client.
func TestMessageAction_FindsAReceivedMessageByID(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	id, err := w.Net.InjectText("alice", bobPhone, "Bob", "react to me")
	if err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 5*time.Second, func() bool {
		_, err := w.Store.Inbound().Get(w.Ctx, "alice", id)
		return err == nil
	}, "message %s never kept", id)

	res, err := w.Cmd.Actions.ActOnMessage(w.Ctx, w.User, command.MessageActionInput{SessionID: "alice", MessageID: id,
		Action: command.ActionReact, Emoji: "👍"})
	if err != nil {
		t.Fatal(err)
	}
	want := message.Reference{Chat: chat.UserJID(bobPhone), ID: id, Sender: chat.UserJID(bobPhone)}
	if res.Target != want || res.Message == nil || res.Message.Content.Kind != message.KindReaction || *res.Message.Content.Target != want {
		t.Fatalf("target %+v, message %+v", res.Target, res.Message)
	}

	// Neither sent nor received, and no chat given: not found.
	_, err = w.Cmd.Actions.ActOnMessage(w.Ctx, w.User, command.MessageActionInput{SessionID: "alice", MessageID: "3EB0UNKNOWN",
		Action: command.ActionReact, Emoji: "👍"})
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindNotFound || fe.Reason != fault.ReasonMessageNotFound {
		t.Fatalf("unknown message: %v", err)
	}
}
