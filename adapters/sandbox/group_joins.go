package sandbox

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// InviteLink returns the group's invite link; reset revokes the old one. Admins only.
func (n *Network) InviteLink(ctx context.Context, sessionID string, jid chat.JID, reset bool) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
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
	return chat.InviteLinkPrefix + g.invite, nil
}

// JoinWithLink joins a group by invite link or code; a group that approves joins
// gets a request instead.
func (n *Network) JoinWithLink(ctx context.Context, sessionID, link string) (chat.JID, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return chat.JID{}, false, err
	}
	return n.joinByLink(me, link)
}

// ContactJoinGroup makes a virtual person join by invite link or code, or ask to
// when the group approves joins; it reports whether the join is pending.
func (n *Network) ContactJoinGroup(phone, link string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, err := n.virtual(phone)
	if err != nil {
		return false, err
	}
	_, pending, err := n.joinByLink(p, link)
	return pending, err
}

// invited returns the group an invite link or code opens. Caller holds n.mu.
func (n *Network) invited(link string) (*group, error) {
	g, ok := n.invites[strings.TrimPrefix(strings.TrimSpace(link), chat.InviteLinkPrefix)]
	if !ok {
		return nil, fault.NotFound(fault.ReasonInviteInvalid, "the invite link is invalid or was reset")
	}
	return g, nil
}

// joinByLink adds p to the group behind link, or files p's request and tells the
// admins. Caller holds n.mu.
func (n *Network) joinByLink(p *person, link string) (chat.JID, bool, error) {
	g, err := n.invited(link)
	switch {
	case err != nil:
		return chat.JID{}, false, err
	case g.member(p) != nil:
		return g.jid, false, fault.Conflict(fault.ReasonInvalidState, "already a participant of %s", g.jid)
	case g.approval:
		if !slices.ContainsFunc(g.requests, func(r joinRequest) bool { return r.p == p }) {
			g.requests = append(g.requests, joinRequest{p: p, at: n.now()})
			for _, m := range g.members {
				if st := m.p.session; st != nil && m.admin {
					n.enqueue(st, ports.TransportGroupJoinRequest{SessionID: st.id, Group: g.jid, Who: p.party(), Method: "invite_link", At: n.now()})
				}
			}
		}
		return g.jid, true, nil
	}
	g.members = append(g.members, &member{p: p})
	n.participantsChanged(g, ports.GroupAdd, []*person{p}, p)
	return g.jid, false, nil
}

// GroupInvitePreview describes the group behind an invite link without joining.
func (n *Network) GroupInvitePreview(ctx context.Context, sessionID, link string) (ports.GroupInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.actor(ctx, sessionID); err != nil {
		return ports.GroupInfo{}, err
	}
	g, err := n.invited(link)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	return g.info(), nil
}

// JoinRequests lists who waits for approval. Admins only.
func (n *Network) JoinRequests(ctx context.Context, sessionID string, jid chat.JID) ([]ports.JoinRequest, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	g, err := n.adminGroup(me, jid, "see join requests")
	if err != nil {
		return nil, err
	}
	out := make([]ports.JoinRequest, len(g.requests))
	for i, r := range g.requests {
		out[i] = ports.JoinRequest{Party: r.p.party(), Method: "invite_link", At: r.at}
	}
	return out, nil
}

// AnswerJoinRequests approves or rejects waiting people. Admins only.
func (n *Network) AnswerJoinRequests(ctx context.Context, sessionID string, jid chat.JID, approve bool, who []chat.JID) ([]ports.ParticipantResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
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
		waiting := func(r joinRequest) bool { return r.p == p }
		if err != nil || !slices.ContainsFunc(g.requests, waiting) {
			continue
		}
		g.requests = slices.DeleteFunc(g.requests, waiting)
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
