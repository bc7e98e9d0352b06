package ingest_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// A call the session's policy cannot turn down (it stopped ringing before the
// ingest got to it) is still recorded for webhooks; the failure is logged, and the
// caller gets no message.
func TestCallPolicy_AFailedRejectionKeepsTheEventAndSendsNothing(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	w := appworld.New(t, appworld.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	w.OpenSession(w.User, "s1", "6281234567890", "Budi")
	if _, err := w.Cmd.Calls.SetCallPolicy(w.Ctx, w.User, "s1", session.CallPolicy{Reject: true, Message: "busy"}); err != nil {
		t.Fatal(err)
	}
	missed, err := w.Net.ContactCall("s1", ports.SandboxCall{From: "6281111111111", Then: []ports.CallState{ports.CallTerminate}})
	if err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Events("s1", event.Call)) == 2 }, "call events of %s", missed)
	if !strings.Contains(logs.String(), "call policy could not turn a call down") || !strings.Contains(logs.String(), missed) {
		t.Fatalf("the failed rejection was not logged: %s", logs.String())
	}
	if len(w.Net.Sent("s1")) != 0 {
		t.Fatalf("a caller whose call was not rejected got %v", w.Net.Sent("s1"))
	}

	// A call still ringing is turned down, and the message queued once.
	ringing, err := w.Net.ContactCall("s1", ports.SandboxCall{From: "6281111111111"})
	if err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 3*time.Second, func() bool { return len(w.Net.Sent("s1")) == 1 }, "the message to the caller")
	if err := w.Net.RejectCall(w.Ctx, "s1", w.Net.Sent("s1")[0].To, ringing); err == nil {
		t.Fatal("the policy left the call ringing")
	}
}
