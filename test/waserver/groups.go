package waserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// account is a WhatsApp account as groups name it: its phone-number and LID user JIDs.
type account struct{ pn, lid types.JID }

func (d *device) account() account { return account{pn: d.jid.ToNonAD(), lid: d.lid.ToNonAD()} }

// accountOfLocked finds the account of a phone-number or LID JID.
func (s *Server) accountOfLocked(jid types.JID) (account, bool) {
	devs := s.accountLocked(jid.ToNonAD())
	if len(devs) == 0 {
		return account{}, false
	}
	return devs[0].account(), true
}

// member is an account in a group, with its rank.
type member struct {
	account
	admin, superAdmin bool
}

// joinRequest is an account waiting for an admin to let it in.
type joinRequest struct {
	account
	at time.Time
}

// group is a WhatsApp group. The server makes LID-addressed groups, as WhatsApp
// does for new groups: members are named by LID with their phone number alongside.
type group struct {
	jid              types.JID
	subject          string
	subjectAt        time.Time
	subjectBy        account
	created          time.Time
	creator          account
	members          []*member // the creator first, then in the order they joined
	topic, topicID   string
	topicAt          time.Time
	topicBy          account
	locked, announce bool
	approval         bool   // joins by link wait for an admin
	addMode          string // member_add_mode: all_member_add or admin_add
	invite           string // the current invite code, "" until an admin asks for one
	requests         []joinRequest
}

// groupStore is the server's groups, guarded by Server.mu.
type groupStore struct {
	byID    map[string]*group // group user part → group
	invites map[string]string // every invite code issued → group user part; only a group's current code admits
	last    int
}

func (g *group) member(a account) *member {
	for _, m := range g.members {
		if m.pn == a.pn {
			return m
		}
	}
	return nil
}

func (g *group) accounts() []account {
	out := make([]account, len(g.members))
	for i, m := range g.members {
		out[i] = m.account
	}
	return out
}

// node is the <group> element of info, create and list answers; a link preview
// (withParticipants false) tells the size but not who is in.
func (g *group) node(withParticipants bool) waBinary.Node {
	attrs := waBinary.Attrs{"id": g.jid.User, "subject": g.subject, "s_t": g.subjectAt.Unix(), "s_o": g.subjectBy.lid,
		"s_o_pn": g.subjectBy.pn, "creation": g.created.Unix(), "creator": g.creator.lid, "creator_pn": g.creator.pn,
		"size": strconv.Itoa(len(g.members)), "addressing_mode": string(types.AddressingModeLID)}
	var content []waBinary.Node
	if withParticipants {
		for _, m := range g.members {
			content = append(content, memberNode(m))
		}
	}
	if g.topic != "" {
		content = append(content, waBinary.Node{Tag: "description", Attrs: waBinary.Attrs{"id": g.topicID, "t": g.topicAt.Unix(),
			"participant": g.topicBy.lid, "participant_pn": g.topicBy.pn}, Content: []waBinary.Node{{Tag: "body", Content: []byte(g.topic)}}})
	}
	if g.locked {
		content = append(content, waBinary.Node{Tag: "locked"})
	}
	if g.announce {
		content = append(content, waBinary.Node{Tag: "announcement"})
	}
	if g.approval {
		content = append(content, approvalNode(true))
	}
	content = append(content, waBinary.Node{Tag: "member_add_mode", Content: []byte(g.addMode)})
	return waBinary.Node{Tag: "group", Attrs: attrs, Content: content}
}

func approvalNode(on bool) waBinary.Node {
	state := "off"
	if on {
		state = "on"
	}
	return waBinary.Node{Tag: "membership_approval_mode", Content: []waBinary.Node{{Tag: "group_join", Attrs: waBinary.Attrs{"state": state}}}}
}

// participantNode names an account in a LID-addressed group.
func participantNode(a account) waBinary.Node {
	return waBinary.Node{Tag: "participant", Attrs: waBinary.Attrs{"jid": a.lid, "phone_number": a.pn}}
}

func memberNode(m *member) waBinary.Node {
	n := participantNode(m.account)
	switch {
	case m.superAdmin:
		n.Attrs["type"] = "superadmin"
	case m.admin:
		n.Attrs["type"] = "admin"
	}
	return n
}

// resultNode answers for one requested participant in the form it was asked
// for, with the other form alongside; code 0 is success.
func resultNode(asked types.JID, a account, known bool, code int) waBinary.Node {
	attrs := waBinary.Attrs{"jid": asked}
	switch {
	case !known:
	case asked.Server == types.HiddenUserServer:
		attrs["phone_number"] = a.pn
	default:
		attrs["lid"] = a.lid
	}
	if code != 0 {
		attrs["error"] = strconv.Itoa(code)
	}
	return waBinary.Node{Tag: "participant", Attrs: attrs}
}

// iqError is a refusal, with the code and text whatsmeow maps to its errors.
type iqError struct {
	code int
	text string
}

var (
	errBadRequest     = &iqError{400, "bad-request"}
	errNotAuthorized  = &iqError{401, "not-authorized"} // a member who is not admin
	errForbidden      = &iqError{403, "forbidden"}      // not a member
	errNotFound       = &iqError{404, "item-not-found"}
	errNotAcceptable  = &iqError{406, "not-acceptable"} // a malformed invite code, an image that is not JPEG
	errConflict       = &iqError{409, "conflict"}
	errGone           = &iqError{410, "gone"} // a revoked invite code
	errNotImplemented = &iqError{501, "feature-not-implemented"}
)

// notice is a notification owed to devices once the server's lock is released.
type notice struct {
	keys []string
	node waBinary.Node
}

// sendNotices gives each notice an id and queues it for its devices, which
// acknowledge it with <ack class=notification>.
func (s *Server) sendNotices(ns []notice) {
	for _, n := range ns {
		n.node.Attrs["id"] = s.newID()
		for _, k := range n.keys {
			s.deliver(k, n.node, false)
		}
	}
}

// iqAct is one group or picture IQ being handled under the server's lock: who
// asks, and the notifications the change owes other devices.
type iqAct struct {
	s       *Server
	dev     *device
	by      account
	now     time.Time
	notices []notice
}

// groupIQ answers a w:g2 IQ: to g.us (create, list, leave, invite links) or to a
// group. Changes reach every other device of the group's members, and of anyone
// they take out, as w:gp2 notifications.
func (c *conn) groupIQ(ctx context.Context, iq *waBinary.Node) {
	ops := iq.GetChildren()
	if c.device == nil || len(ops) == 0 {
		c.replyError(ctx, iq, errBadRequest.code, errBadRequest.text)
		return
	}
	to, _ := iq.Attrs["to"].(types.JID)
	typ, _ := iq.Attrs["type"].(string)
	s := c.srv
	s.mu.Lock()
	a := &iqAct{s: s, dev: c.device, by: c.device.account(), now: time.Now()}
	var result []waBinary.Node
	var err *iqError
	if to == types.GroupServerJID {
		result, err = a.onServer(typ, ops[0])
	} else {
		result, err = a.onGroup(to, typ, ops[0])
	}
	s.mu.Unlock()
	if err != nil {
		c.replyError(ctx, iq, err.code, err.text)
		return
	}
	c.reply(ctx, iq, result...)
	s.sendNotices(a.notices)
}

func (a *iqAct) onServer(typ string, op waBinary.Node) ([]waBinary.Node, *iqError) {
	switch {
	case op.Tag == "create" && typ == "set":
		return a.create(op)
	case op.Tag == "participating" && typ == "get":
		return a.participating(), nil
	case op.Tag == "leave" && typ == "set":
		return a.leave(op)
	case op.Tag == "invite" && typ == "get":
		g, err := a.byInvite(op)
		if err != nil {
			return nil, err
		}
		return []waBinary.Node{g.node(false)}, nil
	case op.Tag == "invite" && typ == "set":
		return a.join(op)
	}
	return nil, errNotImplemented
}

func (a *iqAct) onGroup(jid types.JID, typ string, op waBinary.Node) ([]waBinary.Node, *iqError) {
	g := a.s.groups.byID[jid.User]
	if g == nil || jid.Server != types.GroupServer {
		return nil, errNotFound
	}
	me := g.member(a.by)
	if me == nil {
		return nil, errForbidden
	}
	// Admins change settings and ranks; anyone changes the subject and topic of an
	// unlocked group, and adds members when the group lets all members add.
	if !me.admin {
		switch {
		case op.Tag == "subject", op.Tag == "description":
			if g.locked {
				return nil, errNotAuthorized
			}
		case op.Tag == "add" && g.addMode == string(types.GroupMemberAddModeAllMember), op.Tag == "query":
		default:
			return nil, errNotAuthorized
		}
	}
	switch {
	case op.Tag == "query" && typ == "get":
		return []waBinary.Node{g.node(true)}, nil
	case op.Tag == "subject" && typ == "set":
		g.subject, g.subjectAt, g.subjectBy = nodeText(op), a.now, a.by
		a.notify(g, nil, waBinary.Node{Tag: "subject", Attrs: waBinary.Attrs{"subject": g.subject, "s_t": a.now.Unix(),
			"s_o": a.by.lid, "s_o_pn": a.by.pn}})
		return nil, nil
	case op.Tag == "description" && typ == "set":
		return nil, a.describe(g, op)
	case slices.Contains([]string{"locked", "unlocked", "announcement", "not_announcement"}, op.Tag) && typ == "set":
		change := waBinary.Node{Tag: op.Tag}
		switch op.Tag {
		case "locked", "unlocked":
			g.locked = op.Tag == "locked"
		default:
			g.announce = op.Tag == "announcement"
			change.Attrs = waBinary.Attrs{"v_id": strconv.FormatInt(a.now.UnixNano(), 10)}
		}
		a.notify(g, nil, change)
		return nil, nil
	case op.Tag == "membership_approval_mode" && typ == "set":
		g.approval = op.GetChildByTag("group_join").Attrs["state"] == "on"
		a.notify(g, nil, approvalNode(g.approval))
		return nil, nil
	case op.Tag == "invite":
		if typ == "set" || g.invite == "" {
			a.s.newInviteLocked(g)
		}
		return []waBinary.Node{{Tag: "invite", Attrs: waBinary.Attrs{"code": g.invite}}}, nil
	case slices.Contains([]string{"add", "remove", "promote", "demote"}, op.Tag) && typ == "set":
		return a.changeParticipants(g, op), nil
	case op.Tag == "membership_approval_requests" && typ == "get":
		var list []waBinary.Node
		for _, r := range g.requests {
			list = append(list, waBinary.Node{Tag: "membership_approval_request", Attrs: waBinary.Attrs{"jid": r.pn, "request_time": r.at.Unix()}})
		}
		return []waBinary.Node{{Tag: "membership_approval_requests", Content: list}}, nil
	case op.Tag == "membership_requests_action" && typ == "set":
		return a.answerRequests(g, op)
	}
	return nil, errNotImplemented
}

// notify owes a w:gp2 notification with changes to every device of the group's
// members and of the accounts in also (those it takes out), except the device
// that made the change.
func (a *iqAct) notify(g *group, also []account, changes ...waBinary.Node) {
	a.notifyAccounts(g, append(g.accounts(), also...), changes...)
}

func (a *iqAct) notifyAccounts(g *group, to []account, changes ...waBinary.Node) {
	attrs := waBinary.Attrs{"from": g.jid, "type": "w:gp2", "t": a.now.Unix(), "participant": a.by.lid, "participant_pn": a.by.pn,
		"addressing_mode": string(types.AddressingModeLID)}
	if name := a.s.pushNames[a.by.pn.User]; name != "" {
		attrs["notify"] = name
	}
	var keys []string
	for _, acct := range to {
		for _, d := range a.s.accountLocked(acct.pn) {
			if d != a.dev && !slices.Contains(keys, d.key()) {
				keys = append(keys, d.key())
			}
		}
	}
	a.notices = append(a.notices, notice{keys: keys, node: waBinary.Node{Tag: "notification", Attrs: attrs, Content: changes}})
}

func (a *iqAct) create(op waBinary.Node) ([]waBinary.Node, *iqError) {
	st := &a.s.groups
	st.last++
	g := &group{jid: types.NewJID(fmt.Sprintf("120363%012d", st.last), types.GroupServer), subject: nodeAttr(op, "subject"),
		subjectAt: a.now, subjectBy: a.by, created: a.now, creator: a.by, addMode: string(types.GroupMemberAddModeAllMember),
		members: []*member{{account: a.by, admin: true, superAdmin: true}}}
	var refused []waBinary.Node
	for _, child := range op.GetChildren() {
		switch child.Tag {
		case "participant":
			jid, _ := child.Attrs["jid"].(types.JID)
			acct, known := a.s.accountOfLocked(jid)
			switch {
			case !known:
				refused = append(refused, resultNode(jid, acct, false, errNotFound.code))
			case g.member(acct) == nil:
				g.members = append(g.members, &member{account: acct})
			}
		case "member_add_mode":
			g.addMode = nodeText(child)
		case "locked":
			g.locked = true
		case "announcement":
			g.announce = true
		case "membership_approval_mode":
			g.approval = child.GetChildByTag("group_join").Attrs["state"] == "on"
		}
	}
	if st.byID == nil {
		st.byID, st.invites = map[string]*group{}, map[string]string{}
	}
	st.byID[g.jid.User] = g
	a.notify(g, nil, waBinary.Node{Tag: "create", Attrs: waBinary.Attrs{"type": "new", "reason": "create"}, Content: []waBinary.Node{g.node(true)}})
	answer := g.node(true)
	answer.Content = append(answer.GetChildren(), refused...)
	return []waBinary.Node{answer}, nil
}

// participating lists the asker's groups, oldest first.
func (a *iqAct) participating() []waBinary.Node {
	var list []waBinary.Node
	for _, g := range a.s.groupsOfLocked(a.by) {
		list = append(list, g.node(true))
	}
	return []waBinary.Node{{Tag: "groups", Content: list}}
}

func (s *Server) groupsOfLocked(acct account) []*group {
	var out []*group
	for _, g := range s.groups.byID {
		if g.member(acct) != nil {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(x, y *group) int { return strings.Compare(x.jid.User, y.jid.User) })
	return out
}

// leave takes the asker out of every group named, or out of none when one is
// unknown or not theirs.
func (a *iqAct) leave(op waBinary.Node) ([]waBinary.Node, *iqError) {
	var gs []*group
	for _, n := range op.GetChildrenByTag("group") {
		jid, _ := n.Attrs["id"].(types.JID)
		g := a.s.groups.byID[jid.User]
		switch {
		case g == nil:
			return nil, errNotFound
		case g.member(a.by) == nil:
			return nil, errForbidden
		}
		gs = append(gs, g)
	}
	var left []waBinary.Node
	for _, g := range gs {
		g.members = slices.DeleteFunc(g.members, func(m *member) bool { return m.pn == a.by.pn })
		a.notify(g, []account{a.by}, waBinary.Node{Tag: "remove", Content: []waBinary.Node{participantNode(a.by)}})
		left = append(left, waBinary.Node{Tag: "group", Attrs: waBinary.Attrs{"id": g.jid}})
	}
	return []waBinary.Node{{Tag: "leave", Content: left}}, nil
}

func (s *Server) newInviteLocked(g *group) {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	g.invite = base64.RawURLEncoding.EncodeToString(raw[:])
	s.groups.invites[g.invite] = g.jid.User
}

// byInvite finds the group an invite code admits to: a code never issued is
// malformed (406), one replaced by a reset is revoked (410).
func (a *iqAct) byInvite(op waBinary.Node) (*group, *iqError) {
	code := strings.TrimPrefix(nodeAttr(op, "code"), whatsmeow.InviteLinkPrefix)
	id, ok := a.s.groups.invites[code]
	if !ok {
		return nil, errNotAcceptable
	}
	if g := a.s.groups.byID[id]; g != nil && g.invite == code {
		return g, nil
	}
	return nil, errGone
}

// join lets the asker in by invite code, or files a request for the admins when
// the group approves joins.
func (a *iqAct) join(op waBinary.Node) ([]waBinary.Node, *iqError) {
	g, err := a.byInvite(op)
	if err != nil {
		return nil, err
	}
	if g.member(a.by) != nil {
		return nil, errConflict
	}
	if g.approval {
		if !slices.ContainsFunc(g.requests, func(r joinRequest) bool { return r.pn == a.by.pn }) {
			g.requests = append(g.requests, joinRequest{account: a.by, at: a.now})
			var admins []account
			for _, m := range g.members {
				if m.admin {
					admins = append(admins, m.account)
				}
			}
			a.notifyAccounts(g, admins, waBinary.Node{Tag: "created_membership_requests", Attrs: waBinary.Attrs{"request_method": "invite_link"},
				Content: []waBinary.Node{participantNode(a.by)}})
		}
		return []waBinary.Node{{Tag: "membership_approval_request", Attrs: waBinary.Attrs{"jid": g.jid}}}, nil
	}
	g.members = append(g.members, &member{account: a.by})
	a.notify(g, nil, waBinary.Node{Tag: "add", Attrs: waBinary.Attrs{"reason": "invite"}, Content: []waBinary.Node{participantNode(a.by)}})
	return []waBinary.Node{{Tag: "group", Attrs: waBinary.Attrs{"jid": g.jid}}}, nil
}

// describe sets or deletes the topic; the change must name the current topic id
// as its previous one, as WhatsApp refuses edits made on a stale topic.
func (a *iqAct) describe(g *group, op waBinary.Node) *iqError {
	if nodeAttr(op, "prev") != g.topicID {
		return errConflict
	}
	g.topicID, g.topicAt, g.topicBy = nodeAttr(op, "id"), a.now, a.by
	change := waBinary.Node{Tag: "description", Attrs: waBinary.Attrs{"id": g.topicID}}
	if op.Attrs["delete"] == "true" {
		g.topic = ""
		change.Content = []waBinary.Node{{Tag: "delete"}}
	} else {
		g.topic = nodeText(op.GetChildByTag("body"))
		change.Content = []waBinary.Node{{Tag: "body", Content: []byte(g.topic)}}
	}
	a.notify(g, nil, change)
	return nil
}

// changeParticipants adds, removes, promotes or demotes each participant named and
// answers for each: 404 for no such account or no such member, 409 when it is
// already so.
func (a *iqAct) changeParticipants(g *group, op waBinary.Node) []waBinary.Node {
	var results, changed []waBinary.Node
	var removed []account
	for _, p := range op.GetChildrenByTag("participant") {
		jid, _ := p.Attrs["jid"].(types.JID)
		acct, known := a.s.accountOfLocked(jid)
		m := g.member(acct)
		code := 0
		switch {
		case !known, op.Tag != "add" && m == nil:
			code = errNotFound.code
		case op.Tag == "add" && m != nil, op.Tag == "promote" && m.admin, op.Tag == "demote" && !m.admin:
			code = errConflict.code
		case op.Tag == "add":
			g.members = append(g.members, &member{account: acct})
		case op.Tag == "remove":
			g.members = slices.DeleteFunc(g.members, func(x *member) bool { return x == m })
			removed = append(removed, acct)
		default:
			m.admin = op.Tag == "promote"
			m.superAdmin = m.superAdmin && m.admin
		}
		if code == 0 {
			changed = append(changed, participantNode(acct))
		}
		results = append(results, resultNode(jid, acct, known, code))
	}
	if len(changed) > 0 {
		a.notify(g, removed, waBinary.Node{Tag: op.Tag, Content: changed})
	}
	return []waBinary.Node{{Tag: op.Tag, Content: results}}
}

// answerRequests approves (adds) or rejects those who asked to join; one who did
// not ask is answered 404.
func (a *iqAct) answerRequests(g *group, op waBinary.Node) ([]waBinary.Node, *iqError) {
	actions := op.GetChildren()
	if len(actions) != 1 || actions[0].Tag != "approve" && actions[0].Tag != "reject" {
		return nil, errBadRequest
	}
	act := actions[0]
	var results, added []waBinary.Node
	for _, p := range act.GetChildrenByTag("participant") {
		jid, _ := p.Attrs["jid"].(types.JID)
		acct, known := a.s.accountOfLocked(jid)
		i := slices.IndexFunc(g.requests, func(r joinRequest) bool { return known && r.pn == acct.pn })
		if i < 0 {
			results = append(results, resultNode(jid, acct, known, errNotFound.code))
			continue
		}
		g.requests = slices.Delete(g.requests, i, i+1)
		if act.Tag == "approve" && g.member(acct) == nil {
			g.members = append(g.members, &member{account: acct})
			added = append(added, participantNode(acct))
		}
		results = append(results, resultNode(jid, acct, known, 0))
	}
	if len(added) > 0 {
		a.notify(g, nil, waBinary.Node{Tag: "add", Content: added})
	}
	return []waBinary.Node{{Tag: "membership_requests_action", Content: []waBinary.Node{{Tag: act.Tag, Content: results}}}}, nil
}

func nodeAttr(n waBinary.Node, key string) string {
	v, _ := n.Attrs[key].(string)
	return v
}
