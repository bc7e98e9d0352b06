package waserver

import (
	"context"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// relayReceipt handles a client's <receipt>: it acknowledges the messages it names
// (a delivery or retry receipt is how a client acks a message), acks the receipt
// and queues it for the account it is addressed to. A retry receipt goes only to
// the device that sent the message, every other type to all of that account's
// devices; a delivery receipt (type inactive or none) arrives without a type. In a
// group the receipt names the message's sender in `participant` and arrives from
// the group, with the reader as its participant.
func (c *conn) relayReceipt(ctx context.Context, r *waBinary.Node) {
	if c.device == nil {
		return
	}
	id, _ := r.Attrs["id"].(string)
	to, _ := r.Attrs["to"].(types.JID)
	typ, _ := r.Attrs["type"].(string)
	ids := []string{id}
	list := r.GetChildByTag("list")
	for _, item := range list.GetChildrenByTag("item") {
		if itemID, ok := item.Attrs["id"].(string); ok {
			ids = append(ids, itemID)
		}
	}
	for _, m := range ids {
		c.acknowledged("message", m, to, "")
	}
	ack := waBinary.Attrs{"class": "receipt", "id": id, "from": to}
	if typ != "" {
		ack["type"] = typ
	}
	_ = c.send(ctx, waBinary.Node{Tag: "ack", Attrs: ack})
	if typ == string(types.ReceiptTypePeerMsg) {
		return // for the phone's own protocol message (keyshare.go): the simulated phone takes it
	}

	sender := to // the account, or for a retry the device, that sent the messages
	if to.Server == types.GroupServer {
		sender, _ = r.Attrs["participant"].(types.JID)
	}
	s := c.srv
	s.mu.Lock()
	targets := s.accountLocked(sender.ToNonAD())
	if typ == "retry" {
		targets = nil
		if d := s.deviceLocked(sender); d != nil {
			targets = []*device{d}
		}
	}
	s.mu.Unlock()
	attrs := waBinary.Attrs{"id": id, "from": c.device.jid, "t": time.Now().Unix()}
	switch to.Server {
	case types.HiddenUserServer:
		attrs["from"] = c.device.lid
	case types.GroupServer:
		groupSender(attrs, to, c.device)
	}
	if t, ok := r.Attrs["t"]; ok {
		attrs["t"] = t
	}
	if typ != "" && typ != string(types.ReceiptTypeInactive) {
		attrs["type"] = typ
	}
	if rcpt, ok := r.Attrs["recipient"]; ok {
		attrs["recipient"] = rcpt
	}
	for _, d := range targets {
		if d != c.device {
			s.deliver(d.key(), waBinary.Node{Tag: "receipt", Attrs: attrs, Content: r.Content}, false)
		}
	}
}

// takeAck handles a client's <ack>: the stanza it names is delivered.
func (c *conn) takeAck(ack *waBinary.Node) {
	if c.device == nil {
		return
	}
	class, _ := ack.Attrs["class"].(string)
	id, _ := ack.Attrs["id"].(string)
	to, _ := ack.Attrs["to"].(types.JID)
	typ, _ := ack.Attrs["type"].(string)
	c.acknowledged(class, id, to, typ)
}
