package ingest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// QRTimeoutCode is the last error of a session stopped because nobody scanned its QR.
const QRTimeoutCode = "qr_timeout"

// QRTimeout ends logins nobody completes, whatever the transport: a login attempt
// starts with its first QR code, and the first new code Limit or more later stops the
// session instead of being shown (status stopped, last error qr_timeout, one
// session_status event) and stops its runtime. Create or reconnect starts a new
// attempt. A zero Limit never ends a login.
type QRTimeout struct {
	Limit   time.Duration
	Runtime Runtime // required with a Limit
}

// Runtime starts and stops session runtimes (the transport).
type Runtime interface {
	Start(ctx context.Context, sessionID string, sink ports.TransportSink) error
	Stop(ctx context.Context, sessionID string) error
}

// logins remembers when each session's login attempt showed its first QR. Only the
// node running the session sees its QR codes; after a restart an attempt starts over.
type logins struct {
	mu    sync.Mutex
	start map[string]time.Time
}

// since returns when id's attempt started, starting one at now if none runs or fresh.
func (l *logins) since(id string, now time.Time, fresh bool) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start == nil {
		l.start = map[string]time.Time{}
	}
	t, ok := l.start[id]
	if !ok || fresh {
		t = now
		l.start[id] = t
	}
	return t
}

func (l *logins) end(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.start, id)
}

// loginQR shows a fresh QR code, or ends the login when its attempt has run too long.
func (in *connection) loginQR(ctx context.Context, e ports.TransportQR) error {
	now := in.clock.Now()
	if in.timeout.Limit > 0 {
		sess, err := in.store.Sessions().Get(ctx, e.SessionID)
		if err != nil {
			return err
		}
		// A session not yet showing a QR (starting, reconnected, logged out) begins an attempt.
		started := in.logins.since(e.SessionID, now, sess.Status() != session.StatusQR)
		if now.Sub(started) >= in.timeout.Limit {
			return in.endLogin(ctx, e.SessionID, now)
		}
	}
	dataURL, err := in.qr.DataURL(e.Code)
	if err != nil {
		return err
	}
	applied, err := in.follow(ctx, e.SessionID, session.Observation{Status: session.StatusQR},
		event.SessionStatusChanged{Tag: "qr", QRImage: dataURL, QRCode: e.Code, QRValidFor: e.ExpiresIn})
	if applied {
		in.hub.QRs.Set(e.SessionID, notify.QR{Code: e.Code, DataURL: dataURL, ExpiresAt: now.Add(e.ExpiresIn)})
		in.hub.Queue.Poke() // what was queued for the previous link fails now
	}
	return err
}

// endLogin stops a session whose QR nobody scanned in time.
func (in *connection) endLogin(ctx context.Context, id string, now time.Time) error {
	applied, err := in.changeStatus(ctx, id, func(s *session.Session) error {
		if s.Status() != session.StatusQR { // paired or stopped meanwhile
			return fault.FailedPrecondition(fault.ReasonInvalidState, "session %s no longer shows a QR", id)
		}
		return s.Halt(QRTimeoutCode, now)
	}, event.SessionStatusChanged{Status: string(session.StatusStopped), Code: QRTimeoutCode,
		Reason: fmt.Sprintf("no QR code was scanned within %s", in.timeout.Limit)})
	if !applied {
		return err
	}
	in.logins.end(id)
	in.hub.QRs.Clear(id)
	go in.stopRuntime(id)
	return nil
}

// stopRuntime runs on a goroutine of its own: Stop may wait for the transport's
// goroutines, one of which is delivering the QR that ended the login. A reconnect
// that got in before this stop would lose its runtime, so it is started again.
func (in *connection) stopRuntime(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rt := in.timeout.Runtime
	if err := rt.Stop(ctx, id); err != nil {
		in.log.WarnContext(ctx, "could not stop a session after its QR timed out", "session", id, "err", err)
	}
	sess, err := in.store.Sessions().Get(ctx, id)
	if err != nil || sess.Status() == session.StatusStopped {
		return
	}
	if err := rt.Start(ctx, id, in.sink); err != nil {
		in.log.WarnContext(ctx, "could not restart a session reconnected while its QR timed out", "session", id, "err", err)
	}
}
