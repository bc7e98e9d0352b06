package waserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// call is a call a simulated phone placed, and which of the callee's devices rejected it.
type call struct {
	caller     *Phone
	callee     types.JID // the callee's phone-number user JID
	rejectedBy []types.JID
}

// Call rings the account callee (phone number or LID) from phone, as the phone's
// WhatsApp does: every device of the callee gets a call offer (audio, or video)
// from the caller's LID, its phone number alongside. It returns the call id.
// Devices answer with a reject (see CallRejectedBy); the server plays no media.
func (s *Server) Call(phone *Phone, callee types.JID, video bool) (string, error) {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := strings.ToUpper(hex.EncodeToString(raw[:]))
	from := types.NewJID(phone.LIDUser, types.HiddenUserServer)
	media := []waBinary.Node{{Tag: "audio", Attrs: waBinary.Attrs{"enc": "opus", "rate": "16000"}}}
	if video {
		media = append(media, waBinary.Node{Tag: "video", Attrs: waBinary.Attrs{"enc": "vp8", "dec": "vp8"}})
	}
	s.mu.Lock()
	devs := s.accountLocked(callee.ToNonAD())
	if len(devs) == 0 {
		s.mu.Unlock()
		return "", errors.New("waserver: the callee has no device")
	}
	if s.calls == nil {
		s.calls = map[string]*call{}
	}
	s.calls[id] = &call{caller: phone, callee: devs[0].jid.ToNonAD()}
	attrs := waBinary.Attrs{"from": from, "t": time.Now().Unix(), "platform": "android", "version": "2.24.1"}
	if name := s.pushNames[phone.User]; name != "" {
		attrs["notify"] = name
	}
	s.mu.Unlock()
	attrs["id"] = s.newID()
	offer := waBinary.Node{Tag: "call", Attrs: attrs, Content: []waBinary.Node{{Tag: "offer",
		Attrs:   waBinary.Attrs{"call-id": id, "call-creator": from, "caller_pn": types.NewJID(phone.User, types.DefaultUserServer)},
		Content: media}}}
	for _, d := range devs {
		s.deliver(d.key(), offer, false)
	}
	return id, nil
}

// CallRejectedBy are the devices that rejected call id, in the order they did.
func (s *Server) CallRejectedBy(id string) []types.JID {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.calls[id]; c != nil {
		return slices.Clone(c.rejectedBy)
	}
	return nil
}

// takeCall handles a client's <call>: a reject of a call ringing its account is
// recorded; every call stanza is acked with its type.
func (c *conn) takeCall(ctx context.Context, node *waBinary.Node) {
	if c.device == nil || len(node.GetChildren()) != 1 {
		return
	}
	child := node.GetChildren()[0]
	id, _ := child.Attrs["call-id"].(string)
	if child.Tag == "reject" {
		s := c.srv
		s.mu.Lock()
		if cl := s.calls[id]; cl != nil && cl.callee.User == c.device.jid.User {
			cl.rejectedBy = append(cl.rejectedBy, c.device.jid)
		}
		s.mu.Unlock()
	}
	_ = c.send(ctx, waBinary.Node{Tag: "ack", Attrs: waBinary.Attrs{"class": "call", "id": node.Attrs["id"], "from": node.Attrs["to"], "type": child.Tag}})
}
