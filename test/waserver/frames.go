package waserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/coder/websocket"
	"go.mau.fi/whatsmeow/socket"
)

const maxFrame = 1<<24 - 1

// frameConn carries WhatsApp frames (3-byte big-endian length ‖ payload) over a
// websocket. The client prefixes its first message with the WA prologue.
type frameConn struct {
	ws        *websocket.Conn
	buf       []byte
	sawHeader bool
}

func (f *frameConn) read(ctx context.Context) ([]byte, error) {
	for {
		if len(f.buf) >= 3 {
			n := int(f.buf[0])<<16 | int(f.buf[1])<<8 | int(f.buf[2])
			if len(f.buf) >= 3+n {
				frame := f.buf[3 : 3+n]
				f.buf = f.buf[3+n:]
				return frame, nil
			}
		}
		_, msg, err := f.ws.Read(ctx)
		if err != nil {
			return nil, err
		}
		if !f.sawHeader {
			if !bytes.HasPrefix(msg, socket.WAConnHeader) {
				return nil, fmt.Errorf("missing WA prologue: % x", msg[:min(len(msg), 4)])
			}
			msg, f.sawHeader = msg[len(socket.WAConnHeader):], true
		}
		f.buf = append(f.buf, msg...)
	}
}

// write sends one frame as one websocket message: the client mis-parses split frames.
func (f *frameConn) write(ctx context.Context, payload []byte) error {
	if len(payload) > maxFrame {
		return errors.New("frame too large")
	}
	n := len(payload)
	msg := append([]byte{byte(n >> 16), byte(n >> 8), byte(n)}, payload...)
	return f.ws.Write(ctx, websocket.MessageBinary, msg)
}
