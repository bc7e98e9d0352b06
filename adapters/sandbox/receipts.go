package sandbox

import (
	"context"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MarkRead tells the authors of the given messages that the account read them.
// Unknown ids are ignored, as WhatsApp does; an account that turned read receipts
// off sends them in groups only.
func (n *Network) MarkRead(ctx context.Context, sessionID string, chatJID, sender chat.JID, ids []string, at time.Time) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	cv, err := n.conversation(st.me, chatJID)
	if err != nil {
		return err
	}
	if at.IsZero() {
		at = n.now()
	}
	var read []*record
	for _, id := range ids {
		if r, err := n.find(cv, st.me, message.Reference{ID: id, Sender: sender}); err == nil && r.author != st.me {
			read = append(read, r)
		}
	}
	n.receipts(st.me, read, message.StatusRead, at)
	return nil
}

// ContactRead makes a virtual person read messages the session sent them, directly
// or in a group they are in; played also plays the voice notes and videos among them.
func (n *Network) ContactRead(sessionID, phone string, ids []string, played bool) error {
	digits, err := parsePhone(phone)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return err
	}
	reader := n.person(digits)
	var read, playable []*record
	for _, id := range ids {
		r, err := n.sentTo(st.me, reader, id)
		if err != nil {
			return err
		}
		read = append(read, r)
		if r.kind == message.KindAudio || r.kind == message.KindVideo {
			playable = append(playable, r)
		}
	}
	now := n.now()
	n.receipts(reader, read, message.StatusRead, now)
	if played {
		n.receipts(reader, playable, message.StatusPlayed, now)
	}
	return nil
}

// sentTo finds message id of author that reader received. Caller holds n.mu.
func (n *Network) sentTo(author, reader *person, id string) (*record, error) {
	for _, r := range n.messages[id] {
		if r.author == author && (r.to == reader || r.group != nil && r.group.member(reader) != nil) {
			return r, nil
		}
	}
	c := conv{actor: author, peer: reader}
	return nil, c.notFound(id, author)
}

// receipts sends reader's receipts for recs to their authors' sessions, one
// receipt per chat and author. Delivery is acked once per reader, before any read
// or played receipt; read receipts honour the reader's privacy setting outside
// groups. Caller holds n.mu.
func (n *Network) receipts(reader *person, recs []*record, status message.Status, at time.Time) {
	if status == message.StatusDelivered {
		recs = slices.DeleteFunc(slices.Clone(recs), func(r *record) bool { return !r.markDelivered(reader) })
	} else {
		var undelivered []*record
		for _, r := range recs {
			if !r.delivered[reader] {
				undelivered = append(undelivered, r)
			}
		}
		n.receipts(reader, undelivered, message.StatusDelivered, at)
	}
	type key struct {
		author *person
		chat   chat.JID
	}
	batches := map[key][]string{}
	var order []key
	for _, r := range recs {
		if r.author.session == nil || r.group == nil && status == message.StatusRead && reader.privacy.ReadReceipts == ports.PrivacyNone {
			continue
		}
		k := key{r.author, convOf(r).chatFor(r.author)}
		if _, seen := batches[k]; !seen {
			order = append(order, k)
		}
		batches[k] = append(batches[k], r.id)
	}
	for _, k := range order {
		n.enqueue(k.author.session, ports.TransportReceipt{SessionID: k.author.session.id, Chat: k.chat, Sender: reader.party(),
			IDs: batches[k], Status: status, At: at})
	}
}
