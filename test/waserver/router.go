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
	d := c.srv.pairedDevice(ctx, key, c.clientStatic)
	if d == nil || d.noiseKey != c.clientStatic {
		return c.send(ctx, waBinary.Node{Tag: "failure", Attrs: waBinary.Attrs{"reason": "401"}})
	}
	c.device = d
	c.srv.mu.Lock()
	previous := c.srv.online[d.key()]
	c.srv.online[d.key()] = c
	c.srv.mu.Unlock()
	if previous != nil {
		// One connection per device: the newer login wins, as on WhatsApp.
		go previous.replaced(context.WithoutCancel(ctx))
	}
	if err := c.send(ctx, waBinary.Node{Tag: "success", Attrs: waBinary.Attrs{"t": unixNow(), "lid": d.lid}}); err != nil {
		return err
	}
	c.attach(ctx) // what arrived while it was offline, or was never acknowledged
	return nil
}

// handle routes one node from the client.
func (c *conn) handle(ctx context.Context, node *waBinary.Node) {
	switch node.Tag {
	case "message":
		c.relayMessage(ctx, node)
		return
	case "receipt":
		c.relayReceipt(ctx, node)
		return
	case "ack":
		c.takeAck(node)
		return
	case "presence":
		c.relayPresence(ctx, node)
		return
	case "chatstate":
		c.relayChatState(node)
		return
	case "call":
		c.takeCall(ctx, node)
		return
	}
	if node.Tag != "iq" {
		return // <ib> and the rest need no answer
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
	case xmlns == "w:p":
		c.reply(ctx, node)
	case xmlns == "passive":
		c.reply(ctx, node)
		c.shareAppStateKey() // the login is done; once per companion
	case xmlns == "encrypt" && node.Attrs["type"] == "get" && hasChild(node, "count"):
		c.reply(ctx, node, waBinary.Node{Tag: "count", Attrs: waBinary.Attrs{"value": strconv.Itoa(c.prekeyCount())}})
	case xmlns == "encrypt" && node.Attrs["type"] == "set" && hasChild(node, "list"):
		c.storePrekeys(node)
		c.reply(ctx, node)
	case xmlns == "encrypt" && node.Attrs["type"] == "get" && hasChild(node, "key"):
		c.reply(ctx, node, c.answerBundles(node)...)
	case xmlns == "usync" && node.Attrs["type"] == "get":
		c.reply(ctx, node, c.answerUsync(node)...)
	case xmlns == "w:m" && hasChild(node, "media_conn"):
		c.mediaConn(ctx, node)
	case xmlns == "md" && hasChild(node, "link_code_companion_reg"):
		c.linkCodeReg(ctx, node)
	case xmlns == "w:g2":
		c.groupIQ(ctx, node)
	case xmlns == "w:profile:picture":
		c.pictureIQ(ctx, node)
	case xmlns == "w:mex":
		c.mexIQ(ctx, node)
	case xmlns == "w:sync:app:state":
		c.appStateIQ(ctx, node)
	case xmlns == "w:biz":
		c.businessIQ(ctx, node)
	default:
		c.replyError(ctx, node, 501, "feature-not-implemented")
	}
}

// goOffline forgets a closed connection, so nothing is sent to it any more.
func (c *conn) goOffline() {
	c.srv.mu.Lock()
	if c.pairing != nil && c.srv.pending[c.pairing.ref] == c {
		delete(c.srv.pending, c.pairing.ref)
	}
	if c.device != nil && c.srv.online[c.device.key()] == c {
		delete(c.srv.online, c.device.key())
	}
	c.srv.mu.Unlock()
	if c.device != nil {
		c.detach()
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

func hasChild(n *waBinary.Node, tag string) bool {
	_, ok := n.GetOptionalChildByTag(tag)
	return ok
}

func deviceKey(user string, device uint16) string { return fmt.Sprintf("%s.%d", user, device) }

func unixNow() string { return strconv.FormatInt(time.Now().Unix(), 10) }
