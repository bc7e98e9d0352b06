package waserver

import (
	"context"
	"slices"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// presence is what an account last announced.
type presence struct {
	available bool
	last      time.Time
}

// subscriber is a device that asked for an account's presence, under the JID it used.
type subscriber struct {
	key string
	as  types.JID
}

// relayPresence handles <presence>: a subscription (answered at once with the
// account's current presence, if any) or the client's own availability, which is
// sent to the online devices subscribed to its account. The name it carries
// becomes the account's push name (the `notify` of its messages).
func (c *conn) relayPresence(ctx context.Context, p *waBinary.Node) {
	if c.device == nil {
		return
	}
	typ, _ := p.Attrs["type"].(string)
	s := c.srv
	if typ == "subscribe" {
		to, _ := p.Attrs["to"].(types.JID)
		to = to.ToNonAD()
		s.mu.Lock()
		acct := s.accountLocked(to)
		var now *presence
		if len(acct) > 0 {
			user := acct[0].jid.User
			s.subscribers[user] = append(s.subscribers[user], subscriber{c.device.key(), to})
			now = s.presences[user]
		}
		s.mu.Unlock()
		if now != nil {
			_ = c.send(ctx, presenceNode(to, now))
		}
		return
	}
	now := &presence{available: typ != "unavailable", last: time.Now()}
	user := c.device.jid.User
	s.mu.Lock()
	s.presences[user] = now
	if name, ok := p.Attrs["name"].(string); ok && name != "" {
		s.pushNames[user] = name
	}
	subs := slices.Clone(s.subscribers[user])
	s.mu.Unlock()
	for _, sub := range subs {
		s.sendNow(sub.key, presenceNode(sub.as, now))
	}
}

func presenceNode(from types.JID, p *presence) waBinary.Node {
	attrs := waBinary.Attrs{"from": from}
	if !p.available {
		attrs["type"], attrs["last"] = "unavailable", p.last.Unix()
	}
	return waBinary.Node{Tag: "presence", Attrs: attrs}
}

// relayChatState sends a <chatstate> (composing, paused) to the addressed account's
// online devices, from the sender in the same addressing.
func (c *conn) relayChatState(cs *waBinary.Node) {
	if c.device == nil {
		return
	}
	to, _ := cs.Attrs["to"].(types.JID)
	from := c.device.jid.ToNonAD()
	if to.Server == types.HiddenUserServer {
		from = c.device.lid.ToNonAD()
	}
	s := c.srv
	s.mu.Lock()
	acct := s.accountLocked(to.ToNonAD())
	s.mu.Unlock()
	for _, d := range acct {
		s.sendNow(d.key(), waBinary.Node{Tag: "chatstate", Attrs: waBinary.Attrs{"from": from}, Content: cs.Content})
	}
}
