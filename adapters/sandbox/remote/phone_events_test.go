package remote_test

import (
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// Calls, history sync and undecryptable messages reach a gateway in another process.
func TestRemotePhoneEvents(t *testing.T) {
	t.Parallel()
	c := serve(t)()
	sink := open(t, c, "s1", "6281100000001")
	carol := chat.UserJID("6281300000003")

	callID, err := c.ContactCall("s1", ports.SandboxCall{From: carol.User, Video: true, Then: []ports.CallState{ports.CallReject}})
	if err != nil {
		t.Fatal(err)
	}
	calls := contract.WaitFor[ports.TransportCall](t, sink, 2, nil)
	if calls[0].CallID != callID || calls[0].State != ports.CallOffer || calls[1].State != ports.CallReject || !calls[1].Video || calls[1].From.JID != carol {
		t.Fatalf("calls %+v", calls)
	}
	if _, err := c.ContactCall("s1", ports.SandboxCall{From: carol.User, Then: []ports.CallState{ports.CallReject, ports.CallTerminate}}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("reject then terminate = %v", err)
	}

	ids, err := c.HistorySync("s1", ports.SandboxHistory{Progress: 70, Messages: []ports.SandboxHistoryMessage{
		{Peer: carol.User, ID: "3EB0OLD1", Content: message.TextContent("old")},
		{Peer: carol.User, FromMe: true, Content: message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: 1, Longitude: 2}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := contract.WaitFor[ports.TransportHistorySync](t, sink, 1, nil)[0]
	if h.Progress != 70 || len(h.Messages) != 2 || h.Messages[0].ID != "3EB0OLD1" || len(ids) != 2 || ids[1] != h.Messages[1].ID || !h.Messages[0].History || h.Messages[1].Content.Location == nil {
		t.Fatalf("history %+v", h)
	}

	id, err := c.Undecryptable("s1", ports.SandboxUndecryptable{From: carol.User})
	if err != nil {
		t.Fatal(err)
	}
	if u := contract.WaitFor[ports.TransportUndecryptable](t, sink, 1, nil)[0]; u.ID != id || u.Chat != carol || u.Sender.LID.IsZero() {
		t.Fatalf("undecryptable %+v", u)
	}
}
