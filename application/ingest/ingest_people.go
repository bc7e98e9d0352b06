package ingest

import (
	"context"
	"github.com/warest-go/warest/application/eventlog"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// receipt records a peer's receipt, in the chat history too, and advances our
// outbound messages it names.
// A receipt can overtake the send queue's own "sent" record (the network acks before
// Send returns to the worker); the message then still looks queued, so the implied
// "sent" is recorded first and the status history stays complete.
func (in *people) receipt(ctx context.Context, rc ports.TransportReceipt) error {
	// A group transaction: receipts come for every message sent, each would cost a
	// commit of its own. The session's lane: the send queue updates its messages too.
	return in.store.InGroupTx(ctx, rc.SessionID, func(ctx context.Context, r ports.Repositories) error {
		for _, id := range rc.IDs {
			if err := in.advance(ctx, r, rc, id); err != nil {
				return err
			}
			if err := r.Inbound().Receipt(ctx, rc.SessionID, id, rc.Status, rc.At); err != nil {
				return err
			}
		}
		return eventlog.Append(ctx, r, in.clock, event.MessageAck, rc.SessionID, event.ReceiptReceived{
			Chat: rc.Chat, MessageIDs: rc.IDs, Status: rc.Status, By: rc.Sender, At: rc.At})
	})
}

func (in *people) advance(ctx context.Context, r ports.Repositories, rc ports.TransportReceipt, id string) error {
	var moves []message.Outbound
	_, err := r.Messages().Update(ctx, rc.SessionID, id, func(m *message.Outbound) error {
		if m.Status == message.StatusQueued && m.Advance(message.StatusSent, "", rc.At) {
			moves = append(moves, *m)
		}
		if m.Advance(rc.Status, "", rc.At) {
			moves = append(moves, *m)
		}
		return nil
	})
	if fault.Is(err, fault.KindNotFound) {
		return nil // a receipt for a message we did not send through the gateway
	}
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := eventlog.Append(ctx, r, in.clock, event.MessageStatus, rc.SessionID, event.MessageStatusOf(m, in.clock.Now())); err != nil {
			return err
		}
	}
	return nil
}

func (in *people) presence(ctx context.Context, p ports.TransportPresence) error {
	state := "unavailable"
	if p.Available {
		state = "available"
	}
	return appendEvent(ctx, in.store, in.clock, event.PresenceUpdate, p.SessionID, event.PresenceChanged{
		From: p.From, State: state, LastSeen: p.LastSeen})
}

func (in *people) chatPresence(ctx context.Context, p ports.TransportChatPresence) error {
	return appendEvent(ctx, in.store, in.clock, event.PresenceUpdate, p.SessionID, event.PresenceChanged{
		Chat: p.Chat, From: p.From, State: string(p.State)})
}

// call records a call's event, then lets the session's call policy turn an offer
// down. A failed rejection is logged, not retried: the call rings on as if no
// policy were set, and the event is already stored for webhooks.
func (in *people) call(ctx context.Context, c ports.TransportCall) error {
	err := appendEvent(ctx, in.store, in.clock, event.Call, c.SessionID, event.CallUpdated{CallID: c.CallID, From: c.From,
		State: string(c.State), Video: c.Video, Group: c.Group, At: c.At})
	if err != nil || c.State != ports.CallOffer || *in.screen == nil {
		return err
	}
	if err := (*in.screen).Screen(ctx, c.SessionID, c.From, c.CallID); err != nil {
		in.log.WarnContext(ctx, "call policy could not turn a call down", "session", c.SessionID, "call", c.CallID, "err", err)
	}
	return nil
}
