package ingest_test

import (
	"testing"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// WhatsApp delivers a message again when our ack was lost (a crash between storing
// and acking); it must still produce one webhook event, not two.
func TestIngest_AMessageDeliveredTwiceIsRecordedOnce(t *testing.T) {
	t.Parallel()
	f := newIngest(t, true)
	f.in.Commands.Prefixes = "/"
	cmd := message.Inbound{ID: "3EB0AAA1", SessionID: "alice", Chat: bobJID, Sender: bob, Content: message.TextContent("/help me"), Timestamp: t0}
	other := cmd
	other.ID, other.Content = "3EB0AAA2", message.TextContent("/help me")
	for range 3 {
		f.handle(ports.TransportMessage{Message: cmd})
	}
	f.handle(ports.TransportMessage{Message: other})
	count := map[event.Type]int{}
	for _, e := range f.all() {
		count[e.Type]++
	}
	// Two distinct messages: each once, with its command once.
	if count[event.MessageReceived] != 2 || count[event.MessageCommand] != 2 {
		t.Fatalf("events %v, want 2 message_received and 2 message_command", count)
	}
}
