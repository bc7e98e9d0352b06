package waserver

import (
	"context"
	"slices"
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// Attempt is one message stanza a client sent, as the server received it. The
// server never deduplicates: a message id sent twice is two attempts.
type Attempt struct {
	ID     string
	Sender types.JID // the sending device, phone-number form (user:device@s.whatsapp.net)
	To     types.JID // the stanza's `to`: a user (LID or phone number), a group or, for a retry, one device
	// Recipient is the account To names, as its phone-number user JID (empty when
	// unknown), or the group.
	Recipient types.JID
	Devices   []types.JID // the devices the stanza carried ciphertext for
	Time      time.Time
	Retry     bool // a resend answering a retry receipt (its <enc> has a count)
}

// Attempts are the message stanzas clients sent, oldest first.
func (s *Server) Attempts() []Attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.attempts)
}

// AttemptsOf are the attempts with message id, oldest first.
func (s *Server) AttemptsOf(id string) []Attempt {
	return slices.DeleteFunc(s.Attempts(), func(a Attempt) bool { return a.ID != id })
}

// relayFault is what goes wrong with the next relayed copy of a message.
type relayFault int

const (
	corruptCopy relayFault = iota + 1 // its ciphertext arrives damaged
	loseCopy                          // the recipient's connection drops as it is sent
)

// CorruptNext makes the server damage the next copy of message id it relays (its
// ciphertext's last byte), so the receiving device fails to decrypt it and asks
// the sender for a retry, as after a garbled delivery.
func (s *Server) CorruptNext(id string) { s.setFault(id, corruptCopy) }

// LoseNext makes the next copy of message id it relays go down with the recipient's
// connection: the server queues it but cuts the connection instead of sending it,
// as a network drop mid-delivery. The copy stays queued until the device logs in
// again and acknowledges it.
func (s *Server) LoseNext(id string) { s.setFault(id, loseCopy) }

func (s *Server) setFault(id string, f relayFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[id] = f
}

// relayMessage records a client's message stanza, queues a copy for every device it
// carries ciphertext for and acks it. A copy to another account comes from the
// sender's device in the addressing of `to` (LID or phone number) with the other
// form alongside; a copy to the sender's own other devices (whatsmeow's
// device-sent message) names the peer in `recipient`. A message to a group goes
// to every other device of its members, from the group with the sender as
// `participant` (groupmessages.go).
func (c *conn) relayMessage(ctx context.Context, msg *waBinary.Node) {
	if c.device == nil {
		return
	}
	id, _ := msg.Attrs["id"].(string)
	to, _ := msg.Attrs["to"].(types.JID)
	var copies []relayCopy
	var rest []waBinary.Node // children every copy carries (device-identity, a group's skmsg, meta…)
	for _, child := range msg.GetChildren() {
		switch {
		case child.Tag == "participants":
			for _, p := range child.GetChildrenByTag("to") {
				dev, _ := p.Attrs["jid"].(types.JID)
				copies = append(copies, relayCopy{dev, p.GetChildByTag("enc")})
			}
		case child.Tag == "enc" && child.Attrs["type"] != "skmsg": // a retry: one device, addressed in `to` (in a group, in `participant`)
			dev := to
			if p, ok := msg.Attrs["participant"].(types.JID); ok {
				dev = p
			}
			copies = append(copies, relayCopy{dev, child})
		case child.Tag == "tctoken", child.Tag == "cstoken", child.Tag == "reporting": // for the server, not the recipient
		default:
			rest = append(rest, child)
		}
	}
	now := time.Now()
	attempt := Attempt{ID: id, Sender: c.device.jid, To: to, Time: now}
	for _, cp := range copies {
		attempt.Devices = append(attempt.Devices, cp.device)
		if _, ok := cp.enc.Attrs["count"]; ok {
			attempt.Retry = true
		}
	}
	s := c.srv
	s.mu.Lock()
	if acct := s.accountLocked(to.ToNonAD()); len(acct) > 0 {
		attempt.Recipient = acct[0].jid.ToNonAD()
	}
	targets, ackError := copies, 0
	if to.Server == types.GroupServer {
		attempt.Recipient = to
		if !attempt.Retry {
			targets, ackError = s.groupCopiesLocked(to, c.device, copies)
		}
	}
	s.attempts = append(s.attempts, attempt)
	pushName := s.pushNames[c.device.jid.User]
	type delivery struct {
		key  string
		node waBinary.Node
		lose bool
	}
	var deliveries []delivery
	lid := to.Server == types.HiddenUserServer
	for _, cp := range targets {
		d := s.deviceLocked(cp.device)
		if d == nil || d == c.device {
			continue
		}
		attrs := waBinary.Attrs{"id": id, "t": now.Unix(), "from": c.device.jid}
		if lid {
			attrs["from"] = c.device.lid
		}
		for _, k := range []string{"type", "edit", "category"} {
			if v, ok := msg.Attrs[k]; ok {
				attrs[k] = v
			}
		}
		if pushName != "" {
			attrs["notify"] = pushName
		}
		switch {
		case to.Server == types.GroupServer:
			groupSender(attrs, to, c.device)
		case d.jid.User != c.device.jid.User && lid:
			attrs["sender_pn"] = c.device.jid.ToNonAD()
		case d.jid.User != c.device.jid.User:
			attrs["sender_lid"] = c.device.lid.ToNonAD()
		default:
			attrs["recipient"] = to.ToNonAD()
			if r, ok := msg.Attrs["recipient"]; ok {
				attrs["recipient"] = r
			}
			if pn, ok := msg.Attrs["peer_recipient_pn"]; ok {
				attrs["peer_recipient_pn"] = pn
			}
		}
		enc := cp.enc
		fault := s.faults[id]
		delete(s.faults, id)
		if fault == corruptCopy {
			enc = corrupted(enc)
		}
		content := rest
		if enc.Tag != "" {
			content = append([]waBinary.Node{enc}, rest...)
		}
		deliveries = append(deliveries, delivery{d.key(), waBinary.Node{Tag: "message", Attrs: attrs, Content: content}, fault == loseCopy})
	}
	s.mu.Unlock()
	for _, d := range deliveries {
		s.deliver(d.key, d.node, d.lose)
	}
	ack := waBinary.Attrs{"class": "message", "id": id, "from": to, "t": now.Unix()}
	if ackError != 0 {
		ack["error"] = strconv.Itoa(ackError)
	}
	_ = c.send(ctx, waBinary.Node{Tag: "ack", Attrs: ack})
}

// relayCopy is the ciphertext a message stanza carries for one device.
type relayCopy struct {
	device types.JID
	enc    waBinary.Node // a pkmsg or msg; none for a group member who has the sender key
}

// corrupted is enc with the last byte of its ciphertext flipped: a signal message's
// MAC, or a prekey message's signed prekey id, so decryption fails either way.
func corrupted(enc waBinary.Node) waBinary.Node {
	ct, _ := enc.Content.([]byte)
	if len(ct) == 0 {
		return enc
	}
	ct = slices.Clone(ct)
	ct[len(ct)-1] ^= 1
	enc.Content = ct
	return enc
}
