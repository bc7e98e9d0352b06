package sandbox

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// inviteLinkPrefix is how WhatsApp shows invite codes as links.
const inviteLinkPrefix = "https://chat.whatsapp.com/"

// InviteLink returns the group's invite link; reset revokes the old one. Admins only.
func (n *Network) InviteLink(_ context.Context, sessionID string, jid chat.JID, reset bool) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(sessionID)
	if err != nil {
		return "", err
	}
	g, err := n.adminGroup(me, jid, "manage the invite link")
	if err != nil {
		return "", err
	}
	if g.invite == "" || reset {
		delete(n.invites, g.invite)
		g.invite = n.newInviteCode()
		n.invites[g.invite] = g
	}
	return inviteLinkPrefix + g.invite, nil
}

// JoinWithLink joins a group by invite link or code; a group that approves joins
// gets a request instead.
func (n *Network) JoinWithLink(_ context.Context, sessionID, link string) (chat.JID, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(sessionID)
	if err != nil {
		return chat.JID{}, false, err
	}
	g, ok := n.invites[strings.TrimPrefix(strings.TrimSpace(link), inviteLinkPrefix)]
	switch {
	case !ok:
		return chat.JID{}, false, fault.NotFound(fault.ReasonInvalidParameter, "the invite link is invalid or was reset")
	case g.member(me) != nil:
		return g.jid, false, fault.Conflict(fault.ReasonInvalidState, "already a participant of %s", g.jid)
	case g.approval:
		if !slices.Contains(g.requests, me) {
			g.requests = append(g.requests, me)
		}
		return g.jid, true, nil
	}
	g.members = append(g.members, &member{p: me})
	n.participantsChanged(g, ports.GroupAdd, []*person{me}, me)
	return g.jid, false, nil
}

// JoinRequests lists who waits for approval. Admins only.
func (n *Network) JoinRequests(_ context.Context, sessionID string, jid chat.JID) ([]chat.Party, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(sessionID)
	if err != nil {
		return nil, err
	}
	g, err := n.adminGroup(me, jid, "see join requests")
	if err != nil {
		return nil, err
	}
	return g.parties(g.requests), nil
}

// AnswerJoinRequests approves or rejects waiting people. Admins only.
func (n *Network) AnswerJoinRequests(_ context.Context, sessionID string, jid chat.JID, approve bool, who []chat.JID) ([]ports.ParticipantResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(sessionID)
	if err != nil {
		return nil, err
	}
	g, err := n.adminGroup(me, jid, "answer join requests")
	if err != nil {
		return nil, err
	}
	results := make([]ports.ParticipantResult, len(who))
	var approved []*person
	for i, j := range who {
		results[i] = ports.ParticipantResult{Party: chat.Party{JID: j}, Code: 404}
		p, err := n.lookup(j)
		if err != nil || !slices.Contains(g.requests, p) {
			continue
		}
		g.requests = slices.DeleteFunc(g.requests, func(x *person) bool { return x == p })
		results[i] = ports.ParticipantResult{Party: p.party(), Code: 200}
		if approve {
			g.members = append(g.members, &member{p: p})
			approved = append(approved, p)
		}
	}
	n.participantsChanged(g, ports.GroupAdd, approved, me)
	return results, nil
}

// CreateVirtualGroup makes a group owned by a virtual person (or, without Owner,
// by the session's account) whose members include the session.
func (n *Network) CreateVirtualGroup(sessionID string, spec ports.SandboxGroup) (ports.GroupInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	owner := st.me
	if spec.Owner != "" {
		if owner, err = n.virtual(spec.Owner); err != nil {
			return ports.GroupInfo{}, err
		}
	}
	members := []*person{st.me}
	for _, phone := range spec.Members {
		p, err := n.virtual(phone)
		if err != nil {
			return ports.GroupInfo{}, err
		}
		members = append(members, p)
	}
	g, err := n.newGroup(owner, spec.Name, members)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	g.topic, g.locked, g.announce, g.approval = spec.Topic, spec.Locked, spec.Announce, spec.JoinApproval
	return g.info(), nil
}

// virtual returns the person on WhatsApp with that phone. Caller holds n.mu.
func (n *Network) virtual(phone string) (*person, error) {
	digits, err := parsePhone(phone)
	if err != nil {
		return nil, err
	}
	return n.reachable(chat.UserJID(digits))
}
