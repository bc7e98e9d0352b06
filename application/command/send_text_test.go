package command_test

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/test/appworld"
)

func messageStatuses(t *testing.T, w *appworld.World, sessionID, messageID string) []string {
	t.Helper()
	var out []string
	for _, e := range w.Events(sessionID, event.MessageStatus) {
		d := appworld.Rendered[appworld.MessageStatusData](t, e)
		if d.MessageID == messageID {
			out = append(out, d.Status)
		}
	}
	return out
}

func TestSendText_Success(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{"0822-2222-2222"}, Text: "halo bob",
		ReplyTo: "3EB0QUOTED", Forwarded: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	m := res[0].Message
	if !regexp.MustCompile(`^3EB0[0-9A-F]{18}$`).MatchString(m.ID) || m.SessionID != "alice" || m.To.String() != bobPhone+"@s.whatsapp.net" ||
		m.Content.Kind != message.KindText || m.Content.Text != "halo bob" || m.Content.Reply == nil || m.Content.Reply.ID != "3EB0QUOTED" ||
		!m.Content.Forwarded || m.Attempts != 1 || m.FailReason != "" {
		t.Fatalf("message %+v", m)
	}
	if m.Status != message.StatusSent && m.Status != message.StatusDelivered {
		t.Fatalf("status %s, want sent (or already delivered)", m.Status)
	}
	if res[0].OwnerPhone != alicePhone {
		t.Fatalf("owner phone %q", res[0].OwnerPhone)
	}
	if !m.ExpiresAt.Equal(m.CreatedAt.Add(command.DefaultConfig.SendExpiry)) || command.DefaultConfig.SendExpiry != 24*time.Hour {
		t.Fatalf("expires at %v, created at %v", m.ExpiresAt, m.CreatedAt)
	}
	stored, err := w.Store.Messages().Get(w.Ctx, "alice", m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Content.Text != "halo bob" || stored.To != m.To || !stored.Content.Forwarded || stored.Content.Reply == nil ||
		stored.Content.Reply.ID != "3EB0QUOTED" {
		t.Fatalf("stored %+v", stored)
	}
	// The sandbox acks delivery: the full, ordered history is recorded.
	appworld.Eventually(t, 3*time.Second, func() bool { return len(messageStatuses(t, w, "alice", m.ID)) == 3 }, "statuses %v", messageStatuses(t, w, "alice", m.ID))
	if got := messageStatuses(t, w, "alice", m.ID); !slices.Equal(got, []string{"queued", "sent", "delivered"}) {
		t.Fatalf("status events %v", got)
	}
	sent := w.Net.Sent("alice")
	if len(sent) != 1 || sent[0].ID != m.ID || sent[0].Content.Text != "halo bob" {
		t.Fatalf("network got %+v", sent)
	}
	if final, _ := w.Store.Messages().Get(w.Ctx, "alice", m.ID); final.Status != message.StatusDelivered {
		t.Fatalf("final status %s", final.Status)
	}
}

func TestSendText_Rejections(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "pending"); err != nil { // left in qr
		t.Fatal(err)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("62855%08d", i)
	}
	tests := []struct {
		name     string
		in       command.SendTextInput
		other    bool
		wantKind fault.Kind
	}{
		{"session not open", command.SendTextInput{SessionID: "pending", To: []string{bobPhone}, Text: "x"}, false, fault.KindFailedPrecondition},
		{"invalid recipient", command.SendTextInput{SessionID: "alice", To: []string{"abc"}, Text: "x"}, false, fault.KindInvalid},
		{"one invalid among valid", command.SendTextInput{SessionID: "alice", To: []string{bobPhone, "12"}, Text: "x"}, false, fault.KindInvalid},
		{"no recipient", command.SendTextInput{SessionID: "alice", Text: "x"}, false, fault.KindInvalid},
		{"empty text", command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "  "}, false, fault.KindInvalid},
		{"too many recipients", command.SendTextInput{SessionID: "alice", To: many, Text: "x"}, false, fault.KindInvalid},
		{"foreign session", command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "x"}, true, fault.KindForbidden},
		{"unknown session", command.SendTextInput{SessionID: "nope", To: []string{bobPhone}, Text: "x"}, false, fault.KindNotFound},
		{"no session given", command.SendTextInput{To: []string{bobPhone}, Text: "x"}, false, fault.KindInvalid},
		{"foreign session by phone", command.SendTextInput{Phone: alicePhone, To: []string{bobPhone}, Text: "x"}, true, fault.KindNotFound},
		{"unknown phone", command.SendTextInput{Phone: "6289999999999", To: []string{bobPhone}, Text: "x"}, false, fault.KindNotFound},
		{"status update", command.SendTextInput{SessionID: "alice", To: []string{bobPhone, "status@broadcast"}, Text: "x"}, false, fault.KindInvalid},
		{"newsletter", command.SendTextInput{SessionID: "alice", To: []string{"120363999999999999@newsletter"}, Text: "x"}, false, fault.KindInvalid},
		{"broadcast list", command.SendTextInput{SessionID: "alice", To: []string{"1600000000@broadcast"}, Text: "x"}, false, fault.KindInvalid},
	}
	for _, tt := range tests {
		p := w.User
		if tt.other {
			p = w.Other
		}
		if _, err := w.Cmd.Sending.SendText(w.Ctx, p, tt.in); !fault.Is(err, tt.wantKind) {
			t.Errorf("%s: err = %v, want kind %v", tt.name, err, tt.wantKind)
		}
	}
	if len(w.Events("alice", event.MessageStatus)) != 0 || len(w.Events("pending", event.MessageStatus)) != 0 {
		t.Fatal("a rejected send recorded a message")
	}
	time.Sleep(20 * time.Millisecond)
	if len(w.Net.Sent("alice")) != 0 {
		t.Fatal("a rejected send reached the network")
	}
}

func TestSendText_DeduplicatesRecipients(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice",
		To: []string{"082222222222", bobPhone, "+62 822 2222 2222; 6283333333333", bobPhone + "@c.us"}, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, r := range res {
		to = append(to, r.Message.To.String())
	}
	if !slices.Equal(to, []string{bobPhone + "@s.whatsapp.net", "6283333333333@s.whatsapp.net"}) {
		t.Fatalf("recipients %v", to)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("alice")) == 2 }, "sent %d", len(w.Net.Sent("alice")))
	time.Sleep(20 * time.Millisecond)
	if n := len(w.Net.Sent("alice")); n != 2 {
		t.Fatalf("network got %d messages, want 2", n)
	}
}

func TestSendText_ByOwnPhone(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	w.OpenSession(w.User, "second", "6284444444444", "")
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{Phone: "0844-4444-4444", To: []string{bobPhone}, Text: "from second"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Message.SessionID != "second" || res[0].OwnerPhone != "6284444444444" {
		t.Fatalf("sent through %s (%s)", res[0].Message.SessionID, res[0].OwnerPhone)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("second")) == 1 }, "not sent")
	if len(w.Net.Sent("alice")) != 0 {
		t.Fatal("sent through the wrong session")
	}
	// The admin may send through any user's session by phone.
	res, err = w.Cmd.Sending.SendText(w.Ctx, w.Admin, command.SendTextInput{Phone: alicePhone, To: []string{bobPhone}, Text: "admin"})
	if err != nil || res[0].Message.SessionID != "alice" {
		t.Fatalf("admin by phone: %v %v", res, err)
	}
}

func TestSendText_ReplyAndForwardAreStoredPerRecipient(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	const carol = "6283333333333"
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone, carol},
		Text: "see above", ReplyTo: "3EB0QUOTED", Forwarded: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		m := r.Message
		// The quoted message is looked up in each recipient's own chat.
		want := message.Content{Kind: message.KindText, Text: "see above", Forwarded: true,
			Reply: &message.Reference{Chat: m.To, ID: "3EB0QUOTED"}}
		if !reflect.DeepEqual(m.Content, want) {
			t.Fatalf("content to %s: %+v (reply %+v), want reply in %s", m.To, m.Content, m.Content.Reply, m.To)
		}
		stored, err := w.Store.Messages().Get(w.Ctx, "alice", m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored.Content, want) {
			t.Fatalf("stored content to %s: %+v (reply %+v)", m.To, stored.Content, stored.Content.Reply)
		}
	}
	if res[0].Message.Content.Reply == res[1].Message.Content.Reply {
		t.Fatal("recipients share one reply reference")
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("alice")) == 2 }, "not sent")
	for _, m := range w.Net.Sent("alice") {
		if m.Content.Reply == nil || m.Content.Reply.ID != "3EB0QUOTED" || m.Content.Reply.Chat != m.To || !m.Content.Forwarded {
			t.Fatalf("network got %+v", m.Content)
		}
	}
}

func TestSendText_PlainHasNoReplyNorForward(t *testing.T) {
	t.Parallel()
	w := appworld.New(t, appworld.Options{})
	w.OpenSession(w.User, "alice", alicePhone, "Alice")
	res, err := w.Cmd.Sending.SendText(w.Ctx, w.User, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := w.Store.Messages().Get(w.Ctx, "alice", res[0].Message.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored.Content, message.TextContent("plain")) {
		t.Fatalf("stored content %+v", stored.Content)
	}
}
