package waserver

import (
	"slices"
	"strconv"
	"strings"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// answerUsync answers a usync query for the users in its list: for each protocol in
// <query> what the server keeps (devices, LID, contact), empty answers for the rest
// (business, status, picture…). A user the server has no account for is left out,
// as WhatsApp leaves out numbers that are not on it, except that a contact (phone
// number) query answers them `type=out`.
func (c *conn) answerUsync(iq *waBinary.Node) []waBinary.Node {
	q := iq.GetChildByTag("usync")
	var protocols []waBinary.Node
	query, list := q.GetChildByTag("query"), q.GetChildByTag("list")
	byLID := false
	for _, p := range query.GetChildren() {
		protocols = append(protocols, waBinary.Node{Tag: p.Tag})
		byLID = byLID || p.Tag == "contact" && p.Attrs["addressing_mode"] == "lid"
	}
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	var users []waBinary.Node
	for _, u := range list.GetChildrenByTag("user") {
		if answer, ok := c.srv.usyncUserLocked(u, protocols, byLID); ok {
			users = append(users, answer)
		}
	}
	attrs := waBinary.Attrs{"last": "true", "index": "0"}
	for _, k := range []string{"sid", "mode", "context"} {
		if v, ok := q.Attrs[k]; ok {
			attrs[k] = v
		}
	}
	return []waBinary.Node{{Tag: "usync", Attrs: attrs, Content: []waBinary.Node{
		{Tag: "result", Content: protocols},
		{Tag: "list", Content: users},
	}}}
}

// byLID: the client asked for LID addressing, so a found account is answered as
// jid=LID with its phone number in pn_jid, as WhatsApp does.
func (s *Server) usyncUserLocked(u waBinary.Node, protocols []waBinary.Node, byLID bool) (waBinary.Node, bool) {
	jid, byJID := u.Attrs["jid"].(types.JID)
	var query string
	if contact, ok := u.GetOptionalChildByTag("contact"); ok {
		query = nodeText(contact)
		jid = types.NewJID(strings.TrimPrefix(strings.TrimSuffix(query, "@"+types.LegacyUserServer), "+"), types.DefaultUserServer)
	}
	devices := s.accountLocked(jid)
	if len(devices) == 0 && query == "" {
		return waBinary.Node{}, false
	}
	if !byJID {
		jid = types.NewJID(jid.User, types.DefaultUserServer)
	}
	user := waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}}
	if byLID && len(devices) > 0 {
		user.Attrs = waBinary.Attrs{"jid": devices[0].lid.ToNonAD(), "pn_jid": devices[0].jid.ToNonAD()}
	}
	var content []waBinary.Node
	for _, p := range protocols {
		switch p.Tag {
		case "contact":
			in := "out"
			if len(devices) > 0 {
				in = "in"
			}
			content = append(content, waBinary.Node{Tag: "contact", Attrs: waBinary.Attrs{"type": in}, Content: []byte(query)})
		case "devices":
			var list []waBinary.Node
			for _, d := range devices {
				list = append(list, waBinary.Node{Tag: "device", Attrs: waBinary.Attrs{"id": strconv.Itoa(int(d.jid.Device))}})
			}
			content = append(content, waBinary.Node{Tag: "devices", Content: []waBinary.Node{{Tag: "device-list", Content: list}}})
		case "lid":
			if len(devices) > 0 && jid.Server == types.DefaultUserServer {
				content = append(content, waBinary.Node{Tag: "lid", Attrs: waBinary.Attrs{"val": devices[0].lid.ToNonAD()}})
			}
		case "status", "picture":
			if len(devices) > 0 {
				content = append(content, s.usyncProfileLocked(p.Tag, devices[0].jid))
			}
		default: // business, disappearing_mode…: nothing kept, an empty answer
			content = append(content, waBinary.Node{Tag: p.Tag})
		}
	}
	user.Content = content
	return user, true
}

// accountLocked is every paired device of the account user (a phone-number or LID
// user JID), by device id.
func (s *Server) accountLocked(user types.JID) []*device {
	var out []*device
	for _, d := range s.devices {
		if user.Server == types.DefaultUserServer && d.jid.User == user.User || user.Server == types.HiddenUserServer && d.lid.User == user.User {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *device) int { return int(a.jid.Device) - int(b.jid.Device) })
	return out
}

func nodeText(n waBinary.Node) string {
	switch v := n.Content.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}
