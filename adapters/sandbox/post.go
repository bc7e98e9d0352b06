package sandbox

import (
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// editWindow is how long WhatsApp lets an author edit a message.
const editWindow = 15 * time.Minute

// record is a message the network carried, kept so that later reactions, edits,
// revokes, pins, stars and receipts can find it and check who may touch it.
type record struct {
	id      string
	author  *person
	to      *person // direct chats
	group   *group  // group chats
	kind    message.Kind
	caption bool // has text an edit may replace
	at      time.Time
	revoked bool
	// delivered marks who got it, so each person acks delivery once and before read.
	delivered map[*person]bool
}

// markDelivered records that p got r and reports whether that is news.
func (r *record) markDelivered(p *person) bool {
	if r.delivered[p] {
		return false
	}
	if r.delivered == nil {
		r.delivered = map[*person]bool{}
	}
	r.delivered[p] = true
	return true
}

// conv is a chat as the network sees it: a group, or the direct chat of actor and peer.
type conv struct {
	group       *group
	actor, peer *person
}

// conversation resolves the chat actor addresses. Caller holds n.mu.
func (n *Network) conversation(actor *person, to chat.JID) (conv, error) {
	if to.Kind() == chat.KindGroup {
		g, err := n.memberGroup(actor, to)
		return conv{group: g, actor: actor}, err
	}
	peer, err := n.reachable(to)
	return conv{actor: actor, peer: peer}, err
}

// chatFor is the chat JID as viewer sees it: the group, or the other person.
func (c conv) chatFor(viewer *person) chat.JID {
	switch {
	case c.group != nil:
		return c.group.jid
	case viewer == c.actor:
		return c.peer.jid()
	}
	return c.actor.jid()
}

// members are everyone in the chat.
func (c conv) members() []*person {
	if c.group != nil {
		out := make([]*person, len(c.group.members))
		for i, m := range c.group.members {
			out[i] = m.p
		}
		return out
	}
	if c.actor == c.peer {
		return []*person{c.actor}
	}
	return []*person{c.actor, c.peer}
}

func (c conv) holds(r *record) bool {
	if c.group != nil {
		return r.group == c.group
	}
	return r.group == nil && (r.author == c.actor && r.to == c.peer || r.author == c.peer && r.to == c.actor)
}

// convOf is the chat of a logged message, seen from its author.
func convOf(r *record) conv { return conv{group: r.group, actor: r.author, peer: r.to} }

// refFor is a reference to r as viewer sees it.
func refFor(r *record, viewer *person) message.Reference {
	return message.Reference{Chat: convOf(r).chatFor(viewer), ID: r.id, Sender: r.author.jid(), FromMe: r.author == viewer}
}

// find looks a message up in a chat by the reference actor gave. Caller holds n.mu.
func (n *Network) find(c conv, actor *person, ref message.Reference) (*record, error) {
	for _, r := range n.messages[ref.ID] {
		if !c.holds(r) || ref.FromMe && r.author != actor {
			continue
		}
		if !ref.Sender.IsZero() && ref.Sender != r.author.jid() && ref.Sender != r.author.lid {
			continue
		}
		return r, nil
	}
	return nil, c.notFound(ref.ID, actor)
}

func (c conv) notFound(id string, actor *person) error {
	return fault.NotFound(fault.ReasonMessageNotFound, "message %s not found in %s", id, c.chatFor(actor))
}

// targetOf is the message content acts on, if any.
func targetOf(c message.Content) *message.Reference {
	switch c.Kind {
	case message.KindReaction, message.KindEdit, message.KindRevoke, message.KindPin:
		return c.Target
	case message.KindPollVote:
		if c.PollVote != nil {
			return &c.PollVote.Poll
		}
	}
	return nil
}

// post carries content from author into a chat: it checks the chat's rules,
// applies a reaction, edit, revoke or pin to its target, logs the message and
// hands it to every other member; the author's session gets a delivery receipt as
// each member's phone stores the message. A pushName names this message's sender
// instead of the author's own name. Caller holds n.mu.
func (n *Network) post(author *person, pushName string, to chat.JID, id string, c message.Content) error {
	cv, err := n.conversation(author, to)
	if err != nil {
		return err
	}
	if g := cv.group; g != nil && g.announce && !g.member(author).admin && c.Kind != message.KindReaction {
		return fault.Forbidden("only admins can send messages to %s", g.jid)
	}
	var target *record
	if ref := targetOf(c); ref != nil {
		if target, err = n.find(cv, author, *ref); err != nil {
			return err
		}
		if err := n.allowed(cv, author, c, target); err != nil {
			return err
		}
	}
	now := n.now()
	rec := n.logMessage(author, cv, id, c, now)
	if c.Kind == message.KindRevoke {
		target.revoked = true
	}
	sender := author.party()
	if pushName != "" {
		sender.PushName = pushName
	}
	for _, r := range cv.members() {
		if r == author && cv.peer != author {
			continue
		}
		in := message.Inbound{ID: id, Chat: cv.chatFor(r), Sender: sender, FromMe: r == author,
			Content: n.view(c, r, cv, id), Timestamp: now}
		n.hand(r, in, rec)
	}
	return nil
}

// logMessage records a message of author in cv, and a direct chat as a chat
// between the two. Caller holds n.mu.
func (n *Network) logMessage(author *person, cv conv, id string, c message.Content, at time.Time) *record {
	rec := &record{id: id, author: author, to: cv.peer, group: cv.group, kind: c.Kind, at: at,
		caption: c.Kind == message.KindText || c.Media != nil && c.Text != ""}
	n.messages[id] = append(n.messages[id], rec)
	if cv.group == nil {
		author.chatWith(cv.peer)
		cv.peer.chatWith(author)
	}
	return rec
}

// allowed applies WhatsApp's rules for acting on target. Caller holds n.mu.
func (n *Network) allowed(cv conv, actor *person, c message.Content, target *record) error {
	if target.revoked {
		return fault.FailedPrecondition(fault.ReasonInvalidState, "message %s was deleted", target.id)
	}
	admin := cv.group != nil && cv.group.member(actor).admin
	switch c.Kind {
	case message.KindEdit:
		if target.author != actor {
			return fault.Forbidden("only your own messages can be edited")
		}
		if !target.caption {
			return fault.Invalid(fault.ReasonInvalidParameter, "only texts and captions can be edited")
		}
		if n.now().Sub(target.at) > editWindow {
			return fault.FailedPrecondition(fault.ReasonInvalidState, "messages can be edited only within %v of sending", editWindow)
		}
	case message.KindRevoke:
		if target.author != actor && !admin {
			return fault.Forbidden("only your own messages (or, as a group admin, anyone's) can be deleted for everyone")
		}
	case message.KindPin:
		if cv.group != nil && cv.group.locked && !admin {
			return fault.Forbidden("only admins can pin messages in %s", cv.group.jid)
		}
	case message.KindPollVote:
		if target.kind != message.KindPoll {
			return fault.Invalid(fault.ReasonInvalidParameter, "message %s is not a poll", target.id)
		}
	}
	return nil
}

// view is content as recipient r sees it: references point at messages as r
// knows them, and media (header images of buttons and lists too) carries a download
// handle instead of the sender's blob key.
func (n *Network) view(c message.Content, r *person, cv conv, id string) message.Content {
	rewrite := func(ref *message.Reference) *message.Reference {
		if t, err := n.find(cv, cv.actor, *ref); err == nil {
			v := refFor(t, r)
			return &v
		}
		return ref
	}
	if c.Target != nil {
		c.Target = rewrite(c.Target)
	}
	if c.Reply != nil {
		c.Reply = rewrite(c.Reply)
	}
	if c.PollVote != nil {
		v := *c.PollVote
		v.Poll = *rewrite(&v.Poll)
		c.PollVote = &v
	}
	if c.Media != nil {
		c.Media = downloadable(c.Media, id)
	}
	if c.Buttons != nil && c.Buttons.Image != nil {
		b := *c.Buttons
		b.Image = downloadable(b.Image, id)
		c.Buttons = &b
	}
	if c.List != nil && c.List.Image != nil {
		l := *c.List
		l.Image = downloadable(l.Image, id)
		c.List = &l
	}
	return c
}

// downloadable is media as a recipient gets it: a download handle instead of the
// sender's blob key.
func downloadable(m *message.Media, id string) *message.Media {
	v := *m
	v.BlobKey, v.DirectPath = "", "/v/sandbox/"+id
	return &v
}

// hand gives in to r's phone: a linked session stores it through its sink and
// delivery is acked once it did; a virtual phone takes it at once. Caller holds n.mu.
func (n *Network) hand(r *person, in message.Inbound, rec *record) {
	delivered := func() { n.receipts(r, []*record{rec}, message.StatusDelivered, n.now()) }
	if st := r.session; st != nil {
		in.SessionID = st.id
		n.enqueueThen(st, ports.TransportMessage{Message: in}, delivered)
		return
	}
	delivered()
}
