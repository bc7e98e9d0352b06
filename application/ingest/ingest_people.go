package ingest

import (
	"context"
	"github.com/warest-go/warest/application/eventlog"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// receipt records a peer's receipt and advances our outbound messages it names.
// A receipt can overtake the send queue's own "sent" record (the network acks before
// Send returns to the worker); the message then still looks queued, so the implied
// "sent" is recorded first and the status history stays complete.
func (in *people) receipt(ctx context.Context, rc ports.TransportReceipt) error {
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		for _, id := range rc.IDs {
			if err := in.advance(ctx, r, rc, id); err != nil {
				return err
			}
		}
		return eventlog.Append(ctx, r, in.clock, event.MessageAck, rc.SessionID, event.MessageAckData{ID: rc.SessionID,
			Chat: rc.Chat.String(), MessageIDs: rc.IDs, Status: string(rc.Status), By: party(rc.Sender), Timestamp: rc.At.Unix()})
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
	entry := event.PresenceEntry{LastKnownPresence: state}
	if !p.LastSeen.IsZero() {
		entry.LastSeen = p.LastSeen.Unix()
	}
	if !p.From.LID.IsZero() {
		entry.LID = p.From.LID.String()
	}
	who := p.From.Best().String()
	return eventlog.Append(ctx, in.store, in.clock, event.PresenceUpdate, p.SessionID, event.PresenceUpdateData{ID: p.SessionID,
		Presence: event.Presence{ID: who, Presences: map[string]event.PresenceEntry{who: entry}}})
}

func (in *people) chatPresence(ctx context.Context, p ports.TransportChatPresence) error {
	entry := event.PresenceEntry{LastKnownPresence: string(p.State)}
	if !p.From.LID.IsZero() {
		entry.LID = p.From.LID.String()
	}
	return eventlog.Append(ctx, in.store, in.clock, event.PresenceUpdate, p.SessionID, event.PresenceUpdateData{ID: p.SessionID,
		Presence: event.Presence{ID: p.Chat.String(), Presences: map[string]event.PresenceEntry{p.From.Best().String(): entry}}})
}

// groupParticipants records group_participants and, as WAREST does, group_join for
// additions and group_leave for removals.
func (in *people) groupParticipants(ctx context.Context, g ports.TransportGroupParticipants) error {
	data := event.GroupParticipantsData{ID: g.SessionID, GroupID: g.Group.String(), Action: string(g.Action), Timestamp: g.At.Unix(),
		Participants: make([]string, len(g.Participants)), ParticipantsInfo: make([]event.Party, len(g.Participants))}
	for i, p := range g.Participants {
		data.Participants[i] = p.Best().String()
		data.ParticipantsInfo[i] = party(p)
	}
	if !g.By.IsZero() {
		by := party(g.By)
		data.Author = &by
	}
	types := []event.Type{event.GroupParticipants}
	switch g.Action {
	case ports.GroupAdd:
		types = append(types, event.GroupJoin)
	case ports.GroupRemove:
		types = append(types, event.GroupLeave)
	}
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		for _, t := range types {
			if err := eventlog.Append(ctx, r, in.clock, t, g.SessionID, data); err != nil {
				return err
			}
		}
		return nil
	})
}

// groupUpdate records changed settings under WhatsApp Web's field names.
func (in *people) groupUpdate(ctx context.Context, g ports.TransportGroupUpdate) error {
	update := map[string]any{"id": g.Group.String()}
	if g.Name != nil {
		update["subject"] = *g.Name
	}
	if g.Topic != nil {
		update["desc"] = *g.Topic
	}
	if g.Locked != nil {
		update["restrict"] = *g.Locked
	}
	if g.Announce != nil {
		update["announce"] = *g.Announce
	}
	data := event.GroupUpdateData{ID: g.SessionID, GroupID: g.Group.String(), Update: update, Timestamp: g.At.Unix()}
	if !g.By.IsZero() {
		by := party(g.By)
		data.Author = &by
	}
	return eventlog.Append(ctx, in.store, in.clock, event.GroupUpdate, g.SessionID, data)
}

// joinedGroup is the account itself being added: a group_join for the account.
func (in *people) joinedGroup(ctx context.Context, g ports.TransportJoinedGroup) error {
	data := event.GroupParticipantsData{ID: g.SessionID, GroupID: g.Group.String(), Action: "joined", Timestamp: g.At.Unix(),
		Participants: make([]string, len(g.Participants)), ParticipantsInfo: make([]event.Party, len(g.Participants))}
	for i, p := range g.Participants {
		data.Participants[i] = p.Best().String()
		data.ParticipantsInfo[i] = party(p)
	}
	return eventlog.Append(ctx, in.store, in.clock, event.GroupJoin, g.SessionID, data)
}

func (in *people) call(ctx context.Context, c ports.TransportCall) error {
	info := event.CallInfo{ID: c.CallID, From: c.From.Best().String(), Status: string(c.State), IsVideo: c.Video, IsGroup: c.Group, Date: c.At.Unix()}
	if !c.From.LID.IsZero() {
		info.FromLID = c.From.LID.String()
	}
	return eventlog.Append(ctx, in.store, in.clock, event.Call, c.SessionID, event.CallData{ID: c.SessionID, Calls: []event.CallInfo{info}})
}
