package sandbox

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// SetPresence shows the account online or offline to the people it chats with and
// its fellow group members, as its privacy settings allow.
func (n *Network) SetPresence(ctx context.Context, sessionID string, available bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	n.presence(st.me, available, nil)
	return nil
}

// SetChatPresence shows the account typing, recording or paused in a chat.
func (n *Network) SetChatPresence(ctx context.Context, sessionID string, to chat.JID, state ports.ChatState) error {
	if !validChatState(state) {
		return fault.Invalid(fault.ReasonInvalidParameter, "unknown chat state %q", state)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	return n.chatPresence(st.me, to, state)
}

// ContactPresence makes a virtual person go online or offline (seen by the session)
// or type, record or pause in their chat with the session or in a group.
func (n *Network) ContactPresence(sessionID, phone string, p ports.SandboxPresence) error {
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
	who := n.person(digits)
	switch state := ports.ChatState(p.State); {
	case p.State == "available" || p.State == "unavailable":
		n.presence(who, p.State == "available", st)
		return nil
	case validChatState(state):
		to := p.Group
		if to.IsZero() {
			to = st.me.jid()
		}
		return n.chatPresence(who, to, state)
	}
	return fault.Invalid(fault.ReasonInvalidParameter, "state must be available, unavailable, composing, recording or paused, got %q", p.State)
}

// SubscribePresence makes the account see who go online and offline even without a
// chat or group in common (privacy still applies).
func (n *Network) SubscribePresence(ctx context.Context, sessionID string, who chat.JID) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return err
	}
	p, err := n.reachable(who)
	if err != nil {
		return err
	}
	if p == me {
		return fault.Invalid(fault.ReasonInvalidParameter, "the account cannot subscribe to its own presence")
	}
	if p.watchers == nil {
		p.watchers = map[*person]struct{}{}
	}
	p.watchers[me] = struct{}{}
	return nil
}

func validChatState(s ports.ChatState) bool {
	return s == ports.ChatComposing || s == ports.ChatRecording || s == ports.ChatPaused
}

// presence tells the sessions who may see who (or only one of them) that who went
// online or offline; last seen is shown as the privacy settings allow. Caller holds n.mu.
func (n *Network) presence(who *person, available bool, only *sessionState) {
	online := who.privacy.Online
	if online == ports.PrivacyMatchLastSeen {
		online = who.privacy.LastSeen
	}
	now := n.now()
	for _, p := range n.audience(who) {
		if only != nil && p.session != only || !shows(online, who, p) {
			continue
		}
		ev := ports.TransportPresence{SessionID: p.session.id, From: who.party(), Available: available}
		if !available && shows(who.privacy.LastSeen, who, p) {
			ev.LastSeen = now
		}
		n.enqueue(p.session, ev)
	}
}

// audience is the linked accounts that see who: people who chat with them and
// fellow group members, in phone order. Caller holds n.mu.
func (n *Network) audience(who *person) []*person {
	seen := map[*person]bool{who: true}
	var out []*person
	add := func(p *person) {
		if !seen[p] && p.session != nil {
			seen[p] = true
			out = append(out, p)
		}
	}
	for phone := range who.chats {
		add(n.people[phone])
	}
	for p := range who.watchers {
		add(p)
	}
	for _, g := range n.groups {
		if g.member(who) != nil {
			for _, m := range g.members {
				add(m.p)
			}
		}
	}
	slices.SortFunc(out, func(a, b *person) int { return strings.Compare(a.phone, b.phone) })
	return out
}

// chatPresence shows who's chat state to the other members' sessions. Caller holds n.mu.
func (n *Network) chatPresence(who *person, to chat.JID, state ports.ChatState) error {
	cv, err := n.conversation(who, to)
	if err != nil {
		return err
	}
	for _, p := range cv.members() {
		if p != who && p.session != nil {
			n.enqueue(p.session, ports.TransportChatPresence{SessionID: p.session.id, Chat: cv.chatFor(p), From: who.party(), State: state})
		}
	}
	return nil
}
