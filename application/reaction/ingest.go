// Package reaction holds what runs in reaction to events: recording what a transport
// observed, relaying the outbox, scheduling and delivering webhooks, and the send queue.
package reaction

import (
	"context"
	"log/slog"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Ingest is the TransportSink: it records every observation (state change and event
// in one transaction) before returning, so the transport acks only what is stored.
type Ingest struct {
	store ports.Store
	qr    ports.QRRenderer
	clock ports.Clock
	hub   *notify.Hub
	log   *slog.Logger
	// Commands turns inbound texts like "/help" into message_command events too.
	Commands Commands
	// QRTimeout ends logins nobody completes (ingest_qr.go).
	QRTimeout QRTimeout
	logins    logins
}

var _ ports.TransportSink = (*Ingest)(nil)

func NewIngest(store ports.Store, qr ports.QRRenderer, clock ports.Clock, hub *notify.Hub, log *slog.Logger) *Ingest {
	return &Ingest{store: store, qr: qr, clock: clock, hub: hub, log: log}
}

// Handle records one transport event. A session that no longer exists is not an
// error: its late events are dropped.
func (in *Ingest) Handle(ctx context.Context, e ports.TransportEvent) error {
	err := in.handle(ctx, e)
	if fault.Is(err, fault.KindNotFound) {
		in.log.DebugContext(ctx, "dropping transport event for unknown session or message", "err", err)
		return nil
	}
	if err == nil {
		in.hub.Outbox.Poke()
	}
	return err
}

func (in *Ingest) handle(ctx context.Context, e ports.TransportEvent) error {
	now := in.clock.Now()
	switch e := e.(type) {
	case ports.TransportQR:
		return in.loginQR(ctx, e)
	case ports.TransportConnected:
		applied, err := in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Opened(e.Me, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusOpen), Me: &event.Me{ID: e.Me.JID, LID: e.Me.LID, Name: e.Me.Name}})
		if applied {
			in.logins.end(e.SessionID)
			in.hub.ClearQR(e.SessionID)
			in.hub.Queue.Poke()
		}
		return err
	case ports.TransportPaired:
		return in.record(ctx, e.SessionID, event.CredsUpdate, event.CredsUpdateData{ID: e.SessionID, Me: &event.Me{ID: e.Me.JID, LID: e.Me.LID, Name: e.Me.Name}})
	case ports.TransportDisconnected:
		reason := e.Reason
		if e.Code != "" {
			reason = e.Code + ": " + e.Reason
		}
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Transition(session.StatusReconnecting, reason, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusReconnecting), Reason: e.Reason, Code: e.Code,
			Attempts: e.Attempt, RetryInMs: e.RetryIn.Milliseconds()}))
	case ports.TransportLoggedOut:
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.LoggedOut(e.Reason, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusLoggedOut), Reason: e.Reason}))
	case ports.TransportReplaced:
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Transition(session.StatusReplaced, "stream replaced", now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusReplaced), Reason: "stream replaced", Tags: "conflict_replaced"}))
	case ports.TransportMessage:
		return in.message(ctx, e.Message)
	case ports.TransportHistorySync:
		return in.history(ctx, e)
	case ports.TransportUndecryptable:
		return in.record(ctx, e.SessionID, event.MessageUndecryptable, event.MessageUndecryptableData{ID: e.SessionID,
			Key:    event.MessageKey{RemoteJID: e.Chat.String(), ID: e.ID, Participant: groupAuthor(e.Chat, e.Sender)},
			Sender: sender(e.Chat, e.Sender, false), Timestamp: e.At.Unix()})
	case ports.TransportReceipt:
		return in.receipt(ctx, e)
	case ports.TransportPresence:
		return in.presence(ctx, e)
	case ports.TransportChatPresence:
		return in.chatPresence(ctx, e)
	case ports.TransportGroupParticipants:
		return in.groupParticipants(ctx, e)
	case ports.TransportGroupUpdate:
		return in.groupUpdate(ctx, e)
	case ports.TransportJoinedGroup:
		return in.joinedGroup(ctx, e)
	case ports.TransportCall:
		return in.call(ctx, e)
	}
	return nil
}

// record stores one event for an existing session.
func (in *Ingest) record(ctx context.Context, sessionID string, t event.Type, payload any) error {
	if _, err := in.store.Sessions().Get(ctx, sessionID); err != nil {
		return err
	}
	return appendEvent(ctx, in.store, t, sessionID, in.clock, payload)
}

// changeStatus applies a session change and records its event, reporting whether it
// was applied. A change the state machine refuses (a late QR for a stopped session)
// is logged and skipped: not applied, no error.
func (in *Ingest) changeStatus(ctx context.Context, id string, change func(*session.Session) error, data event.SessionStatusData) (bool, error) {
	err := in.store.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Sessions().Update(ctx, id, change); err != nil {
			return err
		}
		if err := appendEvent(ctx, r, event.SessionStatus, id, in.clock, data); err != nil {
			return err
		}
		if health, ok := healthOf(data); ok {
			return appendEvent(ctx, r, event.SessionHealth, id, in.clock, health)
		}
		return nil
	})
	if fault.Is(err, fault.KindFailedPrecondition) {
		in.log.InfoContext(ctx, "ignoring transport status change", "session", id, "err", err)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	in.hub.SessionChanged(id)
	return true, nil
}

// errOnly drops changeStatus's "applied" flag for callers with nothing more to do.
func errOnly(_ bool, err error) error { return err }

func appendEvent(ctx context.Context, r ports.Repositories, t event.Type, sessionID string, clock ports.Clock, payload any) error {
	e, err := event.New(t, sessionID, clock.Now(), payload)
	if err != nil {
		return err
	}
	_, err = r.Events().Append(ctx, e)
	return err
}

// healthOf summarises a connection change for session_health: open is healthy,
// reconnecting degraded, logged out or replaced down; QR and pairing say nothing.
func healthOf(d event.SessionStatusData) (event.SessionHealthData, bool) {
	h := event.SessionHealthData{ID: d.ID, Status: d.Status, Code: d.Code, Reason: d.Reason, Attempts: d.Attempts, RetryInMs: d.RetryInMs}
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
