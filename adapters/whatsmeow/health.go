package whatsmeow

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types/events"
)

// Backoff is the reconnect delay policy: Base × 2^min(attempt, 5), capped at Max,
// then spread by ±Jitter (a fraction). WAREST uses 1 s, 30 s and 20 %.
type Backoff struct {
	Base   time.Duration
	Max    time.Duration
	Jitter float64
}

// DefaultBackoff is WAREST's reconnect policy.
var DefaultBackoff = Backoff{Base: time.Second, Max: 30 * time.Second, Jitter: 0.2}

// delay returns the wait before retry number attempt (1-based); spread is uniform in
// [-1, 1) and scales the jitter.
func (b Backoff) delay(attempt int, spread float64) time.Duration {
	d := min(b.Max, b.Base<<min(max(attempt, 0), 5))
	return time.Duration(float64(d) * (1 + b.Jitter*spread))
}

// signalKind tells the connection loop what to do next.
type signalKind int

const (
	sigConnected signalKind = iota + 1 // logged in: the attempt counter resets
	sigRetry                           // the connection is gone or useless: back off, reconnect
	sigRestart                         // reconnect at once (fresh QR codes, fresh device)
	sigStop                            // stop for good (stream replaced)
)

// codeRelogin is the restart the server asks for once a device is paired (515).
const codeRelogin = "paired"

// signal is a connection change for the loop, with a stable reason code.
type signal struct {
	kind     signalKind
	code     string
	reason   string
	minDelay time.Duration // e.g. a temporary ban's remaining time
}

// toSignal classifies the connection events that steer the reconnect loop.
func toSignal(evt any) (signal, bool) {
	switch e := evt.(type) {
	case *events.Connected:
		return signal{kind: sigConnected}, true
	case *events.Disconnected:
		return signal{kind: sigRetry, code: "network", reason: "connection closed"}, true
	case *events.ManualLoginReconnect:
		return signal{kind: sigRestart, code: codeRelogin, reason: "reconnect after pairing"}, true
	case *events.StreamReplaced:
		return signal{kind: sigStop, code: "replaced", reason: "stream replaced"}, true
	case *events.TemporaryBan:
		return signal{kind: sigRetry, code: "temporary_ban", reason: e.String(), minDelay: e.Expire}, true
	case *events.ClientOutdated:
		return signal{kind: sigRetry, code: "client_outdated", reason: "client is out of date"}, true
	case *events.ConnectFailure:
		return signal{kind: sigRetry, code: "connect_failure", reason: e.Reason.String()}, true
	case *events.StreamError:
		return signal{kind: sigRetry, code: "stream_error", reason: "stream error " + e.Code}, true
	case *events.CATRefreshError:
		return signal{kind: sigRetry, code: "auth_refresh", reason: "could not refresh the auth token"}, true
	case *events.PairError:
		return signal{kind: sigRetry, code: "pair_error", reason: "pairing failed"}, true
	}
	return signal{}, false
}

// classify names why a connection attempt failed.
func classify(err error) (code, reason string) {
	var status socket.ErrWithStatusCode
	var netErr net.Error
	switch {
	case errors.Is(err, store.ErrDeviceDeleted):
		return "device_deleted", "the device was deleted"
	case errors.As(err, &status):
		return "http_" + strconv.Itoa(status.StatusCode), "websocket upgrade refused"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", err.Error()
	case strings.Contains(err.Error(), "noise handshake failed"):
		return "handshake", err.Error()
	case errors.As(err, &netErr), errors.Is(err, socket.ErrDialFailed):
		return "network", err.Error()
	case errors.Is(err, wm.ErrAlreadyConnected):
		return "already_connected", err.Error()
	}
	return "connect_failed", err.Error()
}

// vitals is what the watchdog knows about a connection.
type vitals struct {
	connectedAt   time.Time // socket opened
	paired        bool      // a device is linked, so a login must follow
	loggedIn      bool
	socketUp      bool
	lastInbound   time.Time // last event from the server
	keepAliveFail time.Time // last keepalive success while keepalives fail; zero when healthy
}

// diagnose decides whether a connection that looks up is in fact dead: keepalives
// failing with nothing received for limit, a socket gone without a Disconnected
// event, or a paired device not logged in limit after connecting.
func diagnose(v vitals, now time.Time, limit time.Duration) (code, reason string, dead bool) {
	switch {
	case v.connectedAt.IsZero():
		return "", "", false
	case !v.socketUp:
		return "socket_lost", "the socket closed silently", true
	case !v.keepAliveFail.IsZero() && now.Sub(latest(v.keepAliveFail, v.lastInbound)) > limit:
		return "keepalive_timeout", "no keepalive answer or inbound traffic for " + limit.String(), true
	case v.paired && !v.loggedIn && now.Sub(v.connectedAt) > limit:
		return "login_timeout", "connected but not logged in after " + limit.String(), true
	}
	return "", "", false
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
