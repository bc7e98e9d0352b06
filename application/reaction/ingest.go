// Package reaction holds what runs in reaction to events: recording what a transport
// observed, relaying the outbox, scheduling and delivering webhooks, and the send queue.
package reaction

import (
	"context"
	"log/slog"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
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
		dataURL, err := in.qr.DataURL(e.Code)
		if err != nil {
			return err
		}
		secs := int(e.ExpiresIn.Seconds())
		applied, err := in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Transition(session.StatusQR, "", now)
		}, event.SessionStatusData{ID: e.SessionID, Tags: "qr", QR: dataURL, QRString: e.Code, QRDuration: secs})
		if applied {
			in.hub.SetQR(e.SessionID, notify.QR{Code: e.Code, DataURL: dataURL, ExpiresAt: now.Add(e.ExpiresIn)})
		}
		return err
	case ports.TransportConnected:
		applied, err := in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Opened(e.Me, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusOpen), Me: &event.Me{ID: e.Me.JID, LID: e.Me.LID, Name: e.Me.Name}})
		if applied {
			in.hub.ClearQR(e.SessionID)
			in.hub.Queue.Poke()
		}
		return err
	case ports.TransportDisconnected:
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Transition(session.StatusReconnecting, e.Reason, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusReconnecting), Reason: e.Reason, Attempts: e.Attempt}))
	case ports.TransportLoggedOut:
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.LoggedOut(e.Reason, now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusLoggedOut), Reason: e.Reason}))
	case ports.TransportReplaced:
		return errOnly(in.changeStatus(ctx, e.SessionID, func(s *session.Session) error {
			return s.Transition(session.StatusReplaced, "stream replaced", now)
		}, event.SessionStatusData{ID: e.SessionID, Status: string(session.StatusReplaced), Reason: "stream replaced", Tags: "conflict_replaced"}))
	case ports.TransportMessage:
		return in.received(ctx, e.Message)
	case ports.TransportAck:
		return in.ack(ctx, e)
	}
	return nil
}

// changeStatus applies a session change and records its event, reporting whether it
// was applied. A change the state machine refuses (a late QR for a stopped session)
// is logged and skipped: not applied, no error.
func (in *Ingest) changeStatus(ctx context.Context, id string, change func(*session.Session) error, data event.SessionStatusData) (bool, error) {
	err := in.store.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Sessions().Update(ctx, id, change); err != nil {
			return err
		}
		return appendEvent(ctx, r, event.SessionStatus, id, in.clock, data)
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

func (in *Ingest) received(ctx context.Context, m message.Inbound) error {
	if _, err := in.store.Sessions().Get(ctx, m.SessionID); err != nil {
		return err
	}
	return appendEvent(ctx, in.store, event.MessageReceived, m.SessionID, in.clock, receivedData(m))
}

// ack records a delivery or read receipt. A receipt can overtake the send queue's own
// "sent" record (the network acks before Send returns to the worker); the message then
// still looks queued, so the implied "sent" is recorded first and the status history
// stays complete.
func (in *Ingest) ack(ctx context.Context, a ports.TransportAck) error {
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		var moves []message.Outbound
		_, err := r.Messages().Update(ctx, a.SessionID, a.MessageID, func(m *message.Outbound) error {
			if m.Status == message.StatusQueued && a.Status != message.StatusSent && a.Status.Valid() && a.Status != message.StatusFailed &&
				m.Advance(message.StatusSent, "", a.At) {
				moves = append(moves, *m)
			}
			if m.Advance(a.Status, "", a.At) {
				moves = append(moves, *m)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range moves {
			if err := appendEvent(ctx, r, event.MessageStatus, a.SessionID, in.clock, event.MessageStatusOf(m, in.clock.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

func appendEvent(ctx context.Context, r ports.Repositories, t event.Type, sessionID string, clock ports.Clock, payload any) error {
	e, err := event.New(t, sessionID, clock.Now(), payload)
	if err != nil {
		return err
	}
	_, err = r.Events().Append(ctx, e)
	return err
}

// receivedData shapes an inbound message as WAREST's message_received payload.
func receivedData(m message.Inbound) event.MessageReceivedData {
	author := m.Sender.String()
	key := event.MessageKey{RemoteJID: m.Chat.String(), FromMe: m.FromMe, ID: m.ID}
	if m.IsGroup() {
		key.Participant = author
	}
	lid := ""
	if !m.SenderLID.IsZero() {
		lid = m.SenderLID.String()
	}
	return event.MessageReceivedData{
		ID:          m.SessionID,
		Tags:        string(m.Kind),
		Message:     event.WAMessage{Key: key, MessageTimestamp: m.Timestamp.Unix(), PushName: m.PushName, Message: map[string]any{"conversation": m.Text}},
		Text:        m.Text,
		ContentType: string(m.Kind),
		Sender:      event.Sender{ChatID: m.Chat.String(), FromMe: m.FromMe, IsGroup: m.IsGroup(), AuthorJID: author, AuthorLID: lid, PushName: m.PushName},
		Mentions:    []string{},
		Type:        "notify",
	}
}
