package waserver

import (
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// groupCopiesLocked fans a group message out to every device of the group's
// members but the sending one, in member order. Each copy carries the pkmsg or msg the sender
// encrypted for that device (with the sender key distribution message), if any,
// besides the skmsg every copy carries. A message to an unknown group is answered
// with error 404, one from a sender who is not a member with 403, and goes nowhere.
func (s *Server) groupCopiesLocked(gid types.JID, sender *device, copies []relayCopy) ([]relayCopy, int) {
	g := s.groups.byID[gid.User]
	switch {
	case g == nil:
		return nil, errNotFound.code
	case g.member(sender.account()) == nil:
		return nil, errForbidden.code
	}
	var out []relayCopy
	for _, acct := range g.accounts() {
		for _, d := range s.accountLocked(acct.pn) {
			if d == sender {
				continue
			}
			cp := relayCopy{device: d.lid}
			for _, x := range copies {
				if s.deviceLocked(x.device) == d {
					cp.enc = x.enc
				}
			}
			out = append(out, cp)
		}
	}
	return out, 0
}

// groupSender addresses a stanza relayed in a LID-addressed group: it comes from
// the group, sent by the device in `participant`, its phone number alongside.
func groupSender(attrs waBinary.Attrs, gid types.JID, sender *device) {
	attrs["from"], attrs["participant"], attrs["participant_pn"] = gid, sender.lid, sender.jid
	attrs["addressing_mode"] = string(types.AddressingModeLID)
}
