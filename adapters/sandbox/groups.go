package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// group is a WhatsApp group. Members keep their joining order.
type group struct {
	jid      chat.JID
	name     string
	topic    string
	locked   bool // only admins edit the info
	announce bool // only admins send
	approval bool // admins approve joins by link
	owner    *person
	created  time.Time
	members  []*member
	invite   string        // current invite code, "" until an admin asks for one
	requests []joinRequest // waiting for approval, in order
	picture  string        // id of the current picture, "" without one
}

// joinRequest is someone asking to join a group that approves joins.
type joinRequest struct {
	p  *person
	at time.Time
}

type member struct {
	p     *person
	admin bool
	super bool // the creator: cannot be removed or demoted
}

// maxGroupName is WhatsApp's limit on a group subject.
const maxGroupName = 100

func (g *group) member(p *person) *member {
	for _, m := range g.members {
		if m.p == p {
			return m
		}
	}
	return nil
}

func (g *group) info() ports.GroupInfo {
	out := ports.GroupInfo{JID: g.jid, Name: g.name, Topic: g.topic, Locked: g.locked, Announce: g.announce,
		JoinApproval: g.approval, Owner: g.owner.party(), CreatedAt: g.created}
	for _, m := range g.members {
		out.Participants = append(out.Participants, ports.GroupParticipant{Party: m.p.party(), Admin: m.admin, SuperAdmin: m.super})
	}
	return out
}

func (g *group) parties(ps []*person) []chat.Party {
	out := make([]chat.Party, len(ps))
	for i, p := range ps {
		out[i] = p.party()
	}
	return out
}

// memberGroup returns a group p belongs to. Caller holds n.mu.
func (n *Network) memberGroup(p *person, jid chat.JID) (*group, error) {
	g, ok := n.groups[jid.User]
	if !ok || jid.Kind() != chat.KindGroup {
		return nil, fault.NotFound(fault.ReasonGroupNotFound, "group %s not found", jid)
	}
	if g.member(p) == nil {
		return nil, fault.New(fault.KindForbidden, fault.ReasonNotGroupMember, "%s is not a participant of %s", p.jid(), jid)
	}
	return g, nil
}

// adminGroup returns a group p administers. Caller holds n.mu.
func (n *Network) adminGroup(p *person, jid chat.JID, what string) (*group, error) {
	g, err := n.memberGroup(p, jid)
	if err == nil && !g.member(p).admin {
		err = fault.New(fault.KindForbidden, fault.ReasonNotGroupAdmin, "only admins of %s can %s", jid, what)
	}
	return g, err
}

// actor returns the account of a session the calling client has connected. Caller holds n.mu.
func (n *Network) actor(ctx context.Context, sessionID string) (*person, error) {
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	return st.me, nil
}

// newGroup creates a group owned by owner with members, and tells every member's
// session it joined. Caller holds n.mu.
func (n *Network) newGroup(owner *person, name string, members []*person) (*group, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxGroupName {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "a group name needs 1 to %d characters", maxGroupName)
	}
	g := &group{jid: chat.JID{User: fmt.Sprintf("120363%012d", len(n.groups)+1), Server: chat.ServerGroup},
		name: name, owner: owner, created: n.now(), members: []*member{{p: owner, admin: true, super: true}}}
	for _, p := range members {
		if g.member(p) == nil {
			g.members = append(g.members, &member{p: p})
		}
	}
	n.groups[g.jid.User] = g
	for _, m := range g.members {
		n.joined(g, m.p)
	}
	return g, nil
}

// joined tells p's session, if any, that it is now in g. Caller holds n.mu.
func (n *Network) joined(g *group, p *person) {
	if p.session == nil {
		return
	}
	all := make([]*person, len(g.members))
	for i, m := range g.members {
		all[i] = m.p
	}
	n.enqueue(p.session, ports.TransportJoinedGroup{SessionID: p.session.id, Group: g.jid, Name: g.name, Participants: g.parties(all), At: n.now()})
}

// participantsChanged tells every member's session (and those of removed people)
// about a membership change; people just added learn they joined instead. Caller holds n.mu.
func (n *Network) participantsChanged(g *group, action ports.GroupAction, changed []*person, by *person) {
	if len(changed) == 0 {
		return
	}
	ev := ports.TransportGroupParticipants{Group: g.jid, Action: action, Participants: g.parties(changed), At: n.now()}
	if by != nil {
		ev.By = by.party()
	}
	tell := func(p *person) {
		if p.session != nil {
			ev.SessionID = p.session.id
			n.enqueue(p.session, ev)
		}
	}
	for _, m := range g.members {
		if action == ports.GroupAdd && slices.Contains(changed, m.p) {
			n.joined(g, m.p)
			continue
		}
		tell(m.p)
	}
	if action == ports.GroupRemove {
		for _, p := range changed {
			tell(p)
		}
	}
}

// CreateGroup makes a group with the account as super admin. People whose privacy
// does not let the account add them are left out, as WhatsApp does.
func (n *Network) CreateGroup(ctx context.Context, sessionID string, spec ports.GroupSpec) (ports.GroupInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	var members []*person
	for _, j := range spec.Participants {
		p, err := n.reachable(j)
		if err != nil {
			return ports.GroupInfo{}, err
		}
		if n.mayAdd(me, p) {
			members = append(members, p)
		}
	}
	g, err := n.newGroup(me, spec.Name, members)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	return g.info(), nil
}

// mayAdd applies p's "who can add me to groups" setting. Caller holds n.mu.
func (n *Network) mayAdd(by, p *person) bool { return shows(p.privacy.GroupAdd, p, by) }

// GroupInfo describes a group the account is in.
func (n *Network) GroupInfo(ctx context.Context, sessionID string, jid chat.JID) (ports.GroupInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	g, err := n.memberGroup(me, jid)
	if err != nil {
		return ports.GroupInfo{}, err
	}
	return g.info(), nil
}

// JoinedGroups lists the account's groups, oldest first.
func (n *Network) JoinedGroups(ctx context.Context, sessionID string) ([]ports.GroupInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := []ports.GroupInfo{}
	for _, g := range n.groups {
		if g.member(me) != nil {
			out = append(out, g.info())
		}
	}
	slices.SortFunc(out, func(a, b ports.GroupInfo) int { return strings.Compare(a.JID.User, b.JID.User) })
	return out, nil
}

// ChangeParticipants adds, removes, promotes or demotes members; admins only.
func (n *Network) ChangeParticipants(ctx context.Context, sessionID string, jid chat.JID, action ports.GroupAction, who []chat.JID) ([]ports.ParticipantResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	g, err := n.adminGroup(me, jid, "change participants")
	if err != nil {
		return nil, err
	}
	change, ok := participantChanges[action]
	if !ok {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "unknown participant action %q", action)
	}
	results := make([]ports.ParticipantResult, len(who))
	var changed []*person
	for i, j := range who {
		results[i].Party.JID = j
		p, err := n.lookup(j)
		if err != nil || p.unregistered {
			results[i].Code = 404
			continue
		}
		results[i].Party = p.party()
		if results[i].Code = change(n, g, me, p); results[i].Code == 200 {
			changed = append(changed, p)
		}
	}
	n.participantsChanged(g, action, changed, me)
	return results, nil
}

// participantChanges apply one action to one person and return its status code.
var participantChanges = map[ports.GroupAction]func(n *Network, g *group, by, p *person) int{
	ports.GroupAdd: func(n *Network, g *group, by, p *person) int {
		switch {
		case g.member(p) != nil:
			return 409
		case !n.mayAdd(by, p):
			return 403
		}
		g.members = append(g.members, &member{p: p})
		return 200
	},
	ports.GroupRemove: func(_ *Network, g *group, _, p *person) int {
		m := g.member(p)
		switch {
		case m == nil:
			return 404
		case m.super:
			return 403
		}
		g.members = slices.DeleteFunc(g.members, func(x *member) bool { return x == m })
		return 200
	},
	ports.GroupPromote: func(_ *Network, g *group, _, p *person) int {
		m := g.member(p)
		switch {
		case m == nil:
			return 404
		case m.admin:
			return 409
		}
		m.admin = true
		return 200
	},
	ports.GroupDemote: func(_ *Network, g *group, _, p *person) int {
		m := g.member(p)
		switch {
		case m == nil:
			return 404
		case m.super:
			return 403
		case !m.admin:
			return 409
		}
		m.admin = false
		return 200
	},
}

// ChangeGroup changes a group's name, topic or settings. Settings are for admins;
// name and topic too while the group is locked.
func (n *Network) ChangeGroup(ctx context.Context, sessionID string, jid chat.JID, c ports.GroupChange) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return err
	}
	g, err := n.memberGroup(me, jid)
	if err != nil {
		return err
	}
	admin := g.member(me).admin
	if !admin && (c.Locked != nil || c.Announce != nil || c.JoinApproval != nil || g.locked && (c.Name != nil || c.Topic != nil)) {
		return fault.New(fault.KindForbidden, fault.ReasonNotGroupAdmin, "only admins of %s can change that", jid)
	}
	if c.Name != nil && (strings.TrimSpace(*c.Name) == "" || len([]rune(*c.Name)) > maxGroupName) {
		return fault.Invalid(fault.ReasonInvalidParameter, "a group name needs 1 to %d characters", maxGroupName)
	}
	assign(&g.name, c.Name)
	assign(&g.topic, c.Topic)
	assign(&g.locked, c.Locked)
	assign(&g.announce, c.Announce)
	assign(&g.approval, c.JoinApproval)
	if c.Name == nil && c.Topic == nil && c.Locked == nil && c.Announce == nil {
		return nil // join approval has no event of its own
	}
	for _, m := range g.members {
		if st := m.p.session; st != nil {
			n.enqueue(st, ports.TransportGroupUpdate{SessionID: st.id, Group: g.jid, By: me.party(), Name: c.Name, Topic: c.Topic,
				Locked: c.Locked, Announce: c.Announce, At: n.now()})
		}
	}
	return nil
}

// LeaveGroup takes the account out of a group. When the last admin leaves, the
// longest-standing member becomes admin, as WhatsApp does.
func (n *Network) LeaveGroup(ctx context.Context, sessionID string, jid chat.JID) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return err
	}
	g, err := n.memberGroup(me, jid)
	if err != nil {
		return err
	}
	g.members = slices.DeleteFunc(g.members, func(m *member) bool { return m.p == me })
	n.participantsChanged(g, ports.GroupRemove, []*person{me}, me)
	if len(g.members) > 0 && !slices.ContainsFunc(g.members, func(m *member) bool { return m.admin }) {
		g.members[0].admin = true
		n.participantsChanged(g, ports.GroupPromote, []*person{g.members[0].p}, nil)
	}
	return nil
}

// assign sets *dst to *v when v is given.
func assign[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// groupPictureURL is where the sandbox says a group's picture is.
const groupPictureURL = "https://pps.whatsapp.net/sandbox/group/"

// SetGroupPicture sets or (nil) removes a group's picture. Anyone may while the
// group is unlocked, only admins once it is locked.
func (n *Network) SetGroupPicture(ctx context.Context, sessionID string, jid chat.JID, image []byte) (string, error) {
	if image != nil && !bytes.HasPrefix(image, []byte{0xFF, 0xD8, 0xFF}) {
		return "", fault.Invalid(fault.ReasonInvalidParameter, "a group picture must be a JPEG image")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return "", err
	}
	g, err := n.memberGroup(me, jid)
	if err != nil {
		return "", err
	}
	if g.locked && !g.member(me).admin {
		return "", fault.New(fault.KindForbidden, fault.ReasonNotGroupAdmin, "only admins of %s can change its picture", jid)
	}
	g.picture = ""
	if image != nil {
		g.picture = fmt.Sprint(1_700_000_000 + n.rng.IntN(1_000_000_000))
	}
	return g.picture, nil
}

// GroupPicture returns the id and URL of a group's picture.
func (n *Network) GroupPicture(ctx context.Context, sessionID string, jid chat.JID) (string, string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return "", "", err
	}
	g, err := n.memberGroup(me, jid)
	if err != nil || g.picture == "" {
		return "", "", err
	}
	return g.picture, groupPictureURL + g.jid.User + "/" + g.picture + ".jpg", nil
}
