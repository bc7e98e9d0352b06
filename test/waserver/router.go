package waserver

import (
	"context"
	"fmt"
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types"
)

// login answers the handshake payload: an unpaired client gets pairing refs, a paired
// one <success/> when the server knows its device and noise key, else <failure 401/>.
func (c *conn) login(ctx context.Context, p *waWa6.ClientPayload) error {
	if p.Username == nil {
		return c.startPairing(ctx, p)
	}
	key := deviceKey(strconv.FormatUint(p.GetUsername(), 10), uint16(p.GetDevice()))
	c.srv.mu.Lock()
	d := c.srv.devices[key]
	c.srv.mu.Unlock()
	if d == nil || d.noiseKey != c.clientStatic {
		return c.send(ctx, waBinary.Node{Tag: "failure", Attrs: waBinary.Attrs{"reason": "401"}})
	}
	c.device = d
	c.srv.mu.Lock()
	c.srv.online[d.key()] = c
	c.srv.mu.Unlock()
	return c.send(ctx, waBinary.Node{Tag: "success", Attrs: waBinary.Attrs{"t": unixNow(), "lid": d.lid}})
}

// handle routes one node from the client.
func (c *conn) handle(ctx context.Context, node *waBinary.Node) {
	if node.Tag != "iq" {
		return // <ib>, acks and the rest need no answer yet
	}
	switch node.Attrs["type"] {
	case "result", "error":
		id, _ := node.Attrs["id"].(string)
		c.mu.Lock()
		ch := c.waiting[id]
		delete(c.waiting, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- node
		}
		return
	}
	xmlns, _ := node.Attrs["xmlns"].(string)
	c.srv.mu.Lock()
	c.srv.iqs[fmt.Sprintf("%s %s", xmlns, node.Attrs["type"])]++
	c.srv.mu.Unlock()
	switch {
	case xmlns == "w:p", xmlns == "passive":
		c.reply(ctx, node)
	case xmlns == "encrypt" && node.Attrs["type"] == "get" && hasChild(node, "count"):
		c.reply(ctx, node, waBinary.Node{Tag: "count", Attrs: waBinary.Attrs{"value": strconv.Itoa(c.prekeyCount())}})
	case xmlns == "encrypt" && node.Attrs["type"] == "set" && hasChild(node, "list"):
		c.storePrekeys(node.GetChildByTag("list"))
		c.reply(ctx, node)
	default:
		c.replyError(ctx, node, 501, "feature-not-implemented")
	}
}

// goOffline forgets a closed connection, so nothing is sent to it any more.
func (c *conn) goOffline() {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	if c.pairing != nil && c.srv.pending[c.pairing.ref] == c {
		delete(c.srv.pending, c.pairing.ref)
	}
	if c.device != nil && c.srv.online[c.device.key()] == c {
		delete(c.srv.online, c.device.key())
	}
}

// IQs is how many client IQs of this namespace and type ("w:p", "get") the server answered.
func (s *Server) IQs(xmlns, typ string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.iqs[xmlns+" "+typ]
}

func (c *conn) reply(ctx context.Context, req *waBinary.Node, content ...waBinary.Node) {
	resp := waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"id": req.Attrs["id"], "type": "result", "from": types.ServerJID}}
	if len(content) > 0 {
		resp.Content = content
	}
	_ = c.send(ctx, resp)
}

func (c *conn) replyError(ctx context.Context, req *waBinary.Node, code int, text string) {
	_ = c.send(ctx, waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{"id": req.Attrs["id"], "type": "error", "from": types.ServerJID},
		Content: []waBinary.Node{{Tag: "error", Attrs: waBinary.Attrs{"code": strconv.Itoa(code), "text": text}}}})
}

func (c *conn) prekeyCount() int {
	if c.device == nil {
		return 0
	}
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.srv.prekeys[c.device.key()]
}

func (c *conn) storePrekeys(list waBinary.Node) {
	if c.device == nil {
		return
	}
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.srv.prekeys[c.device.key()] += len(list.GetChildrenByTag("key"))
}

// PrekeyCount is how many one-time prekeys the device jid has uploaded.
func (s *Server) PrekeyCount(jid types.JID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prekeys[deviceKey(jid.User, jid.Device)]
}

func hasChild(n *waBinary.Node, tag string) bool {
	_, ok := n.GetOptionalChildByTag(tag)
	return ok
}

func deviceKey(user string, device uint16) string { return fmt.Sprintf("%s.%d", user, device) }

func unixNow() string { return strconv.FormatInt(time.Now().Unix(), 10) }
