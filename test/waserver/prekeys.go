package waserver

import (
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// keyBundle is what a device uploaded for others to start Signal sessions with it.
type keyBundle struct {
	registration, keyType, identity []byte
	signed                          waBinary.Node   // <skey><id/><value/><signature/></skey>
	oneTime                         []waBinary.Node // <key><id/><value/></key>, handed out oldest first
}

// storePrekeys keeps an `encrypt set` upload: the identity parts replace the old
// ones, one-time prekeys are added to those not yet handed out.
func (c *conn) storePrekeys(upload *waBinary.Node) {
	if c.device == nil {
		return
	}
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	b := c.srv.bundles[c.device.key()]
	if b == nil {
		b = &keyBundle{}
		c.srv.bundles[c.device.key()] = b
	}
	if reg, ok := upload.GetChildByTag("registration").Content.([]byte); ok {
		b.registration = reg
	}
	if typ, ok := upload.GetChildByTag("type").Content.([]byte); ok {
		b.keyType = typ
	}
	if ident, ok := upload.GetChildByTag("identity").Content.([]byte); ok {
		b.identity = ident
	}
	if skey, ok := upload.GetOptionalChildByTag("skey"); ok {
		b.signed = skey
	}
	list := upload.GetChildByTag("list")
	b.oneTime = append(b.oneTime, list.GetChildrenByTag("key")...)
}

func (c *conn) prekeyCount() int {
	if c.device == nil {
		return 0
	}
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.srv.prekeyCountLocked(c.device.key())
}

func (s *Server) prekeyCountLocked(key string) int {
	if b := s.bundles[key]; b != nil {
		return len(b.oneTime)
	}
	return 0
}

// PrekeyCount is how many one-time prekeys the device jid has on the server: uploaded
// and not yet handed out in a bundle.
func (s *Server) PrekeyCount(jid types.JID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.deviceLocked(jid); d != nil {
		return s.prekeyCountLocked(d.key())
	}
	return 0
}

// answerBundles answers `encrypt get <key><user jid/>…</key>`: one bundle per device,
// each taking one one-time prekey, or an error for a device the server does not have.
func (c *conn) answerBundles(query *waBinary.Node) []waBinary.Node {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	var users []waBinary.Node
	key := query.GetChildByTag("key")
	for _, u := range key.GetChildrenByTag("user") {
		jid, _ := u.Attrs["jid"].(types.JID)
		user := waBinary.Node{Tag: "user", Attrs: waBinary.Attrs{"jid": jid}}
		d := c.srv.deviceLocked(jid)
		b := (*keyBundle)(nil)
		if d != nil {
			b = c.srv.bundles[d.key()]
		}
		if b == nil || b.identity == nil {
			user.Content = []waBinary.Node{{Tag: "error", Attrs: waBinary.Attrs{"code": "404", "text": "item-not-found"}}}
			users = append(users, user)
			continue
		}
		content := []waBinary.Node{
			{Tag: "registration", Content: b.registration},
			{Tag: "type", Content: b.keyType},
			{Tag: "identity", Content: b.identity},
			b.signed,
		}
		if len(b.oneTime) > 0 {
			content = append(content, b.oneTime[0])
			b.oneTime = b.oneTime[1:]
		}
		user.Content = content
		users = append(users, user)
	}
	return []waBinary.Node{{Tag: "list", Content: users}}
}

// deviceLocked finds a paired device by its phone-number or LID device JID.
func (s *Server) deviceLocked(jid types.JID) *device {
	for _, d := range s.devices {
		if d.jid.Device == jid.Device && (d.jid.User == jid.User && jid.Server == types.DefaultUserServer ||
			d.lid.User == jid.User && jid.Server == types.HiddenUserServer) {
			return d
		}
	}
	return nil
}
