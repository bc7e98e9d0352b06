package waserver

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// profileStore is what accounts and groups show of themselves, guarded by Server.mu.
type profileStore struct {
	pictures map[types.JID]*picture // an account's phone-number user JID, or a group JID → its picture
	byID     map[string]*picture    // every picture id issued → picture, served at picturePath
	last     int
	abouts   map[string]about // phone user → its about text
}

// about is an account's about text, which usync calls its status.
type about struct {
	text string
	at   time.Time
}

// mutationUpdateTextStatus is the GraphQL query id whatsmeow's SetStatusMessage sends.
const mutationUpdateTextStatus = "9152604461510864"

// mexIQ answers the w:mex GraphQL queries the server knows: setting the asker's
// about text. Others get 501.
func (c *conn) mexIQ(ctx context.Context, iq *waBinary.Node) {
	q := iq.GetChildByTag("query")
	if c.device == nil || q.Attrs["query_id"] != mutationUpdateTextStatus {
		c.replyError(ctx, iq, errNotImplemented.code, errNotImplemented.text)
		return
	}
	var body struct {
		Variables struct {
			Input struct {
				Text *string `json:"text"`
			} `json:"input"`
		} `json:"variables"`
	}
	raw, _ := q.Content.([]byte)
	if err := json.Unmarshal(raw, &body); err != nil || body.Variables.Input.Text == nil {
		c.replyError(ctx, iq, errBadRequest.code, errBadRequest.text)
		return
	}
	s := c.srv
	s.mu.Lock()
	if s.profiles.abouts == nil {
		s.profiles.abouts = map[string]about{}
	}
	s.profiles.abouts[c.device.jid.User] = about{text: *body.Variables.Input.Text, at: time.Now()}
	s.mu.Unlock()
	c.reply(ctx, iq, waBinary.Node{Tag: "result", Content: []byte(`{"data":{}}`)})
}

// usyncProfileLocked answers usync's status (about) and picture protocols for the
// account pn: its about text with when it was set, its picture id; empty when unset.
func (s *Server) usyncProfileLocked(protocol string, pn types.JID) waBinary.Node {
	n := waBinary.Node{Tag: protocol}
	switch protocol {
	case "status":
		if a, ok := s.profiles.abouts[pn.User]; ok {
			n.Attrs, n.Content = waBinary.Attrs{"t": strconv.FormatInt(a.at.Unix(), 10)}, []byte(a.text)
		}
	case "picture":
		if p := s.profiles.pictures[pn.ToNonAD()]; p != nil {
			n.Attrs = waBinary.Attrs{"id": p.id}
		}
	}
	return n
}

// businessIQ answers w:biz business profile queries: no account on this server is
// a business, answered item-not-found (whatsmeow: ErrIQNotFound).
func (c *conn) businessIQ(ctx context.Context, iq *waBinary.Node) {
	c.replyError(ctx, iq, errNotFound.code, errNotFound.text)
}
