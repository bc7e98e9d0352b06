package waserver

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	delete(s.bundles, key)
	delete(s.outboxes, key)
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

// RestartStreamEarly has the next pairing restart the stream (515) right after
// pair-success rather than after the client's answer: the client is told to log
// in again while it still has to answer on this connection.
func (s *Server) RestartStreamEarly() {
	s.mu.Lock()
	s.early = true
	s.mu.Unlock()
}

// DropConnection closes the device's socket without a stream error, as a network
// failure would: the client sees Disconnected and reconnects by itself.
func (s *Server) DropConnection(jid types.JID) error {
	c, err := s.onlineConn(jid)
	if err != nil {
		return err
	}
	return c.frames.ws.CloseNow()
}

// ReplaceStream ends the device's stream as a newer login of it elsewhere does:
// the client gets StreamReplaced and stays offline.
func (s *Server) ReplaceStream(ctx context.Context, jid types.JID) error {
	c, err := s.onlineConn(jid)
	if err != nil {
		return err
	}
	return c.replaced(ctx)
}

func (c *conn) replaced(ctx context.Context) error {
	return c.endStream(ctx, waBinary.Node{Tag: "stream:error",
		Content: []waBinary.Node{{Tag: "conflict", Attrs: waBinary.Attrs{"type": "replaced"}}}})
}

func (s *Server) onlineConn(jid types.JID) (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.online[deviceKey(jid.User, jid.Device)]
	if c == nil {
		return nil, fmt.Errorf("device %v is not online", jid)
	}
	return c, nil
}

// streamEndGrace is how long a client may take to close the socket itself after a
// stream:error before the server closes it. The client closing first is the usual
// order: a server close that overtakes the client's own looks unexpected to
// whatsmeow (it reconnects), and one that races it trips a data race inside
// whatsmeow's socket (OnDisconnect written by NoiseSocket.Stop, read by
// FrameSocket.Close).
const streamEndGrace = 2 * time.Second

// endStream sends a stream:error and, unless the client closes first, then closes
// the socket, as WhatsApp does.
func (c *conn) endStream(ctx context.Context, streamError waBinary.Node) error {
	if err := c.send(ctx, streamError); err != nil {
		return err
	}
	select {
	case <-c.gone:
		return nil
	case <-time.After(streamEndGrace):
	}
	if err := c.frames.ws.CloseNow(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}
