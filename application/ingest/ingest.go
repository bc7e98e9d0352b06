// Package ingest records what a transport observed: the TransportSink that turns
// connection changes, messages, receipts and presence into stored events, and the
// QR login timeout.
package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/warest-go/warest/application/eventlog"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Ingest is the TransportSink: it records every observation (state change and event
// in one transaction) before returning, so the transport acks only what is stored.
type Ingest struct {
	store ports.Store
	clock ports.Clock
	hub   *notify.Hub
	log   *slog.Logger
	// Commands turns inbound texts like "/help" into message_command events too.
	Commands Commands
	parked   atomic.Int64
	// QRTimeout ends logins nobody completes (ingest_qr.go).
	QRTimeout QRTimeout
	// Metrics counts open connections lost (flaps).
	Metrics ports.Metrics
	// Calls turns down offered calls as each session's call policy says; nil leaves
	// every call ringing.
	Calls CallScreen
	// Fencing fences each session's writes with this node's lease (fence.go).
	Fencing

	conn   *connection
	msgs   *messages
	people *people
	groups *groups
}

// connection follows a session's link: status changes, QR logins and their timeout.
type connection struct {
	store   ports.Store
	qr      ports.QRRenderer
	clock   ports.Clock
	hub     *notify.Hub
	log     *slog.Logger
	timeout *QRTimeout          // the Ingest's, set after construction
	metrics *ports.Metrics      // the Ingest's, set after construction
	sink    ports.TransportSink // the Ingest, that a restarted runtime reports to
	logins  logins
}

// messages records inbound messages and history syncs.
type messages struct {
	store    ports.Store
	clock    ports.Clock
	commands *Commands // the Ingest's, set after construction
}

// people records receipts, presence and calls.
type people struct {
	store  ports.Store
	clock  ports.Clock
	log    *slog.Logger
	screen *CallScreen // the Ingest's, set after construction
}

// groups records what happens in the account's groups: members, settings, join requests.
type groups struct {
	store ports.Store
	clock ports.Clock
}

// CallScreen applies a session's call policy to a call just offered to it.
type CallScreen interface {
	Screen(ctx context.Context, sessionID string, from chat.Party, callID string) error
}

var _ ports.TransportSink = (*Ingest)(nil)

func NewIngest(store ports.Store, qr ports.QRRenderer, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *Ingest {
	in := &Ingest{store: store, clock: clock, hub: hub, log: log, Metrics: ports.NoMetrics{}}
	in.conn = &connection{store: store, qr: qr, clock: clock, hub: hub, log: log, timeout: &in.QRTimeout, metrics: &in.Metrics, sink: in}
	in.msgs = &messages{store: store, clock: clock, commands: &in.Commands}
	in.people = &people{store: store, clock: clock, log: log, screen: &in.Calls}
	in.groups = &groups{store: store, clock: clock}
	return in
}

// Handle records one transport event. A session that no longer exists is not an
// error: its late events are dropped (the store refuses rows of a session that does
// not exist, so no lookup before the write is needed), and so are receipts and the like of
// unknown messages: retrying could not store them. Any other error returned
// withholds the ack, so the transport delivers the event again: that is right while
// the store is unavailable, but an event the store refuses for good would block its
// session's later events forever, so it is parked instead (see park).
func (in *Ingest) Handle(ctx context.Context, e ports.TransportEvent) error {
	ctx = in.fence(ctx, e)
	err := in.handle(ctx, e)
	switch {
	case err == nil:
		in.hub.Outbox.Poke()
		return nil
	case fault.Is(err, fault.KindNotFound):
		if fe, _ := fault.As(err); fe.Reason == fault.ReasonSessionNotFound {
			in.log.WarnContext(ctx, "dropping a transport event of a session that does not exist", "event", fmt.Sprintf("%T", e), "err", err)
		} else {
			in.log.DebugContext(ctx, "dropping a transport event of an unknown message", "event", fmt.Sprintf("%T", e), "err", err)
		}
		return nil
	case in.fenced(e, err):
		if ofConnection(e) {
			in.log.InfoContext(ctx, "dropping a connection event of a session another node owns now", "event", fmt.Sprintf("%T", e))
			return nil
		}
		return err
	case fault.Is(err, fault.KindUnavailable) || ctx.Err() != nil:
		return err
	}
	return in.park(ctx, e, err)
}

// Parked counts the events parked since start, for metrics and tests.
func (in *Ingest) Parked() int64 { return in.parked.Load() }

// park records e as a dead letter with the reason it could not be recorded, and
// acks it. If even that fails, the event stays with the transport (the error).
func (in *Ingest) park(ctx context.Context, e ports.TransportEvent, cause error) error {
	kind := strings.TrimPrefix(fmt.Sprintf("%T", e), "ports.")
	// Transport events are plain structs, so this does not fail; JSON escapes NUL
	// and replaces invalid UTF-8, which keeps the dead letter readable anywhere.
	payload, err := json.Marshal(e)
	if err != nil {
		payload = []byte("null")
	}
	session := sessionOf(e)
	p := event.NewParked(session, kind, payload, cause.Error(), in.clock.Now())
	log := in.log.With("session", session, "kind", kind, "parked_id", p.ID, "err", cause)
	switch err := in.store.Parked().Park(ctx, p); {
	case fault.Is(err, fault.KindConflict): // delivered again after a lost ack
		log.WarnContext(ctx, "transport event was parked before; acking it again")
		return nil
	case err != nil:
		log.ErrorContext(ctx, "transport event could not be recorded nor parked; the transport will retry", "park_err", err)
		return cause
	}
	in.parked.Add(1)
	log.ErrorContext(ctx, "transport event could not be recorded: parked as a dead letter")
	return nil
}

func (in *Ingest) handle(ctx context.Context, e ports.TransportEvent) error {
	switch e := e.(type) {
	case ports.TransportQR:
		return in.conn.loginQR(ctx, e)
	case ports.TransportConnected:
		applied, err := in.conn.follow(ctx, e.SessionID, session.Observation{Status: session.StatusOpen, Me: &e.Me},
			event.SessionStatusChanged{Status: string(session.StatusOpen), Me: identity(e.Me)})
		if applied {
			in.conn.logins.end(e.SessionID)
			in.hub.QRs.Clear(e.SessionID)
			in.hub.Queue.Poke() // messages waiting for the session go out now
		}
		return err
	case ports.TransportPaired:
		return appendEvent(ctx, in.store, in.clock, event.CredsUpdate, e.SessionID, event.DeviceLinked{Me: *identity(e.Me)})
	case ports.TransportDisconnected:
		reason := e.Reason
		if e.Code != "" {
			reason = e.Code + ": " + e.Reason
		}
		return errOnly(in.conn.follow(ctx, e.SessionID, session.Observation{Status: session.StatusReconnecting, Reason: reason},
			event.SessionStatusChanged{Status: string(session.StatusReconnecting), Reason: e.Reason, Code: e.Code,
				Attempts: e.Attempt, RetryIn: e.RetryIn}))
	case ports.TransportLoggedOut:
		applied, err := in.conn.follow(ctx, e.SessionID, session.Observation{Status: session.StatusLoggedOut, Reason: e.Reason},
			event.SessionStatusChanged{Status: string(session.StatusLoggedOut), Reason: e.Reason})
		if applied {
			in.hub.Queue.Poke()
		}
		return err
	case ports.TransportReplaced:
		return errOnly(in.conn.follow(ctx, e.SessionID, session.Observation{Status: session.StatusReplaced, Reason: "stream replaced"},
			event.SessionStatusChanged{Status: string(session.StatusReplaced), Reason: "stream replaced", Tag: "conflict_replaced"}))
	case ports.TransportMessage:
		return in.msgs.message(ctx, e.Message)
	case ports.TransportHistorySync:
		return in.msgs.history(ctx, e)
	case ports.TransportUndecryptable:
		return appendEvent(ctx, in.store, in.clock, event.MessageUndecryptable, e.SessionID, event.Undecryptable{ID: e.ID, Chat: e.Chat, Sender: e.Sender, At: e.At})
	case ports.TransportReceipt:
		return in.people.receipt(ctx, e)
	case ports.TransportPresence:
		return in.people.presence(ctx, e)
	case ports.TransportChatPresence:
		return in.people.chatPresence(ctx, e)
	case ports.TransportGroupParticipants:
		return in.groups.groupParticipants(ctx, e)
	case ports.TransportGroupUpdate:
		return in.groups.groupUpdate(ctx, e)
	case ports.TransportJoinedGroup:
		return in.groups.joinedGroup(ctx, e)
	case ports.TransportGroupJoinRequest:
		return in.groups.joinRequest(ctx, e)
	case ports.TransportCall:
		return in.people.call(ctx, e)
	}
	return nil
}

// follow records a status the transport reports, with its event, in one
// transaction. The session follows its transport even outside the state machine
// (logged at WARN); only a session its owner stopped ignores it.
func (in *connection) follow(ctx context.Context, id string, o session.Observation, data event.SessionStatusChanged) (bool, error) {
	var from session.Status
	irregular := false
	applied, err := in.changeStatus(ctx, id, func(s *session.Session) error {
		from = s.Status()
		var err error
		irregular, err = s.Observe(o, in.clock.Now())
		return err
	}, data)
	if applied && from == session.StatusOpen && o.Status != session.StatusOpen {
		(*in.metrics).ConnectionLost()
	}
	if applied && irregular {
		in.log.WarnContext(ctx, "transport status outside the session state machine; following the transport",
			"session", id, "from", from, "to", o.Status)
	}
	return applied, err
}

// changeStatus applies change to the session and records data (and its health
// summary) in one transaction. A change the session refuses is logged at WARN and
// reported as not applied, without an error.
func (in *connection) changeStatus(ctx context.Context, id string, change func(*session.Session) error, data event.SessionStatusChanged) (bool, error) {
	err := in.store.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Sessions().Update(ctx, id, change); err != nil {
			return err
		}
		if err := eventlog.Append(ctx, r, in.clock, event.SessionStatus, id, data); err != nil {
			return err
		}
		if health, ok := healthOf(data); ok {
			return eventlog.Append(ctx, r, in.clock, event.SessionHealth, id, health)
		}
		return nil
	})
	if fault.Is(err, fault.KindFailedPrecondition) {
		in.log.WarnContext(ctx, "ignoring transport status change", "session", id, "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	in.hub.Sessions.Changed(id)
	return true, nil
}

// errOnly drops follow's "applied" flag for callers with nothing more to do.
func errOnly(_ bool, err error) error { return err }

// healthOf summarises a connection change for session_health: open is healthy,
// reconnecting degraded, logged out or replaced down; QR and pairing say nothing.
func healthOf(d event.SessionStatusChanged) (event.SessionHealthChanged, bool) {
	h := event.SessionHealthChanged{Status: d.Status, Code: d.Code, Reason: d.Reason, Attempts: d.Attempts, RetryIn: d.RetryIn}
	switch session.Status(d.Status) {
	case session.StatusOpen:
		h.Health = "healthy"
	case session.StatusReconnecting:
		h.Health = "degraded"
	case session.StatusLoggedOut, session.StatusReplaced:
		h.Health = "down"
	default:
		return h, false
	}
	return h, true
}

func identity(me session.Identity) *event.Identity {
	return &event.Identity{JID: me.JID, LID: me.LID, Name: me.Name}
}
