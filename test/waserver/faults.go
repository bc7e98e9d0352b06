package waserver

import (
	"context"
	"errors"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// RemoveDevice unlinks a companion as the phone's "log out" does: the server forgets
// it and, when it is online, ends its stream with 401 device_removed.
func (s *Server) RemoveDevice(ctx context.Context, jid types.JID) error {
	key := deviceKey(jid.User, jid.Device)
	s.mu.Lock()
	_, known := s.devices[key]
	c := s.online[key]
	delete(s.devices, key)
	delete(s.prekeys, key)
	s.mu.Unlock()
	if !known {
		return errors.New("no such device")
	}
	if c != nil {
		// Best effort: the client may be closing this connection right now.
		_ = c.endStream(ctx, waBinary.Node{Tag: "stream:error", Attrs: waBinary.Attrs{"code": "401"},
			Content: []waBinary.Node{{Tag: "conflict", Attrs: waBinary.Attrs{"type": "device_removed"}}}})
	}
	return nil
}

// streamEndGrace lets the client handle a stream:error before the socket closes: a
// close that overtakes it looks unexpected to whatsmeow, which then reconnects.
const streamEndGrace = 200 * time.Millisecond

// endStream sends a stream:error and then closes the socket, as WhatsApp does.
func (c *conn) endStream(ctx context.Context, streamError waBinary.Node) error {
	if err := c.send(ctx, streamError); err != nil {
		return err
	}
	time.Sleep(streamEndGrace)
	return c.frames.ws.CloseNow()
}
