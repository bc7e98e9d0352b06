package waserver

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// picture is the profile picture of an account or a group.
type picture struct {
	id    string
	image []byte
}

// picturePath is where the server serves pictures over HTTP, by id.
const picturePath = "/pp/"

// pictureIQ answers w:profile:picture: set (a JPEG) or, with no content, remove the
// asker's own picture (no target) or a group's; get a picture's id and URL. A
// change reaches the group's other devices, or the account's own other devices,
// as a picture notification.
func (c *conn) pictureIQ(ctx context.Context, iq *waBinary.Node) {
	if c.device == nil {
		c.replyError(ctx, iq, errBadRequest.code, errBadRequest.text)
		return
	}
	target, _ := iq.Attrs["target"].(types.JID)
	s := c.srv
	s.mu.Lock()
	a := &iqAct{s: s, dev: c.device, by: c.device.account(), now: time.Now()}
	pic, hasPicture := iq.GetOptionalChildByTag("picture")
	if !hasPicture {
		pic = waBinary.Node{} // whatsmeow's lookup would hand back the iq itself
	}
	var result []waBinary.Node
	var err *iqError
	if iq.Attrs["type"] == "set" {
		result, err = a.setPicture(target, pic, hasPicture)
	} else {
		result, err = a.getPicture(target, pic)
	}
	s.mu.Unlock()
	if err != nil {
		c.replyError(ctx, iq, err.code, err.text)
		return
	}
	c.reply(ctx, iq, result...)
	s.sendNotices(a.notices)
}

// pictureOwner is whose picture target names: the asker's account when empty, a
// group (whose members, and admins only when it is locked, may change it) or an account.
func (a *iqAct) pictureOwner(target types.JID, set bool) (types.JID, *group, *iqError) {
	switch {
	case target.IsEmpty(), set && target.ToNonAD() == a.by.pn, set && target.ToNonAD() == a.by.lid:
		return a.by.pn, nil, nil
	case target.Server == types.GroupServer:
		g := a.s.groups.byID[target.User]
		switch {
		case g == nil:
			return types.EmptyJID, nil, errNotFound
		case g.member(a.by) == nil, set && g.locked && !g.member(a.by).admin:
			return types.EmptyJID, nil, errNotAuthorized
		}
		return g.jid, g, nil
	case set:
		return types.EmptyJID, nil, errNotAuthorized // someone else's picture
	}
	acct, ok := a.s.accountOfLocked(target)
	if !ok {
		return types.EmptyJID, nil, errNotFound
	}
	return acct.pn, nil, nil
}

func (a *iqAct) setPicture(target types.JID, pic waBinary.Node, set bool) ([]waBinary.Node, *iqError) {
	owner, g, err := a.pictureOwner(target, true)
	if err != nil {
		return nil, err
	}
	image, _ := pic.Content.([]byte)
	st := &a.s.profiles
	if st.pictures == nil {
		st.pictures, st.byID = map[types.JID]*picture{}, map[string]*picture{}
	}
	change := waBinary.Node{Tag: "delete", Attrs: waBinary.Attrs{"jid": owner, "author": a.by.lid}}
	var result []waBinary.Node
	if !set {
		delete(st.pictures, owner)
	} else {
		if !bytes.HasPrefix(image, []byte{0xFF, 0xD8, 0xFF}) {
			return nil, errNotAcceptable // WhatsApp takes JPEG only
		}
		st.last++
		p := &picture{id: strconv.FormatInt(a.now.Unix()*1000+int64(st.last), 10), image: image}
		st.pictures[owner], st.byID[p.id] = p, p
		change = waBinary.Node{Tag: "set", Attrs: waBinary.Attrs{"jid": owner, "id": p.id, "author": a.by.lid}}
		result = []waBinary.Node{{Tag: "picture", Attrs: waBinary.Attrs{"id": p.id}}}
	}
	to := []account{a.by}
	if g != nil {
		to = g.accounts()
	}
	a.notifyPicture(owner, to, change)
	return result, nil
}

func (a *iqAct) notifyPicture(owner types.JID, to []account, change waBinary.Node) {
	var keys []string
	for _, acct := range to {
		for _, d := range a.s.accountLocked(acct.pn) {
			if d != a.dev {
				keys = append(keys, d.key())
			}
		}
	}
	a.notices = append(a.notices, notice{keys: keys, node: waBinary.Node{Tag: "notification",
		Attrs: waBinary.Attrs{"from": owner, "type": "picture", "t": a.now.Unix()}, Content: []waBinary.Node{change}}})
}

// getPicture answers with the picture's id and URL (the same image for a preview),
// 304 when the asker already has that id, 404 when there is none.
func (a *iqAct) getPicture(target types.JID, query waBinary.Node) ([]waBinary.Node, *iqError) {
	owner, _, err := a.pictureOwner(target, false)
	if err != nil {
		return nil, err
	}
	p := a.s.profiles.pictures[owner]
	switch {
	case p == nil:
		return nil, errNotFound
	case nodeAttr(query, "id") == p.id:
		return []waBinary.Node{{Tag: "picture", Attrs: waBinary.Attrs{"status": "304"}}}, nil
	}
	typ := nodeAttr(query, "type")
	if typ == "" {
		typ = "image"
	}
	path := picturePath + p.id
	return []waBinary.Node{{Tag: "picture", Attrs: waBinary.Attrs{"id": p.id, "type": typ, "direct_path": path,
		"url": a.s.URL() + path}}}, nil
}

// servePicture serves a picture's JPEG by id, as WhatsApp's picture host does.
func (s *Server) servePicture(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.profiles.byID[strings.TrimPrefix(r.URL.Path, picturePath)]
	s.mu.Unlock()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(p.image)
}
