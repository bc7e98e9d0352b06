package ingest

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/history"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// historyPageSize bounds the messages of one history_sync event.
const historyPageSize = 100

// message records an inbound message as the event its content calls for (and
// message_command for a command). The events' ids derive from the message, so a
// message the network delivers again (after a lost ack, a restart) is recorded once.
func (in *messages) message(ctx context.Context, m message.Inbound) error {
	key := m.SessionID + "|" + m.Chat.String() + "|" + m.Sender.Best().String() + "|" + m.ID
	t := messageType(m.Content)
	cmd, isCommand := in.commands.parse(m)
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		if err := in.once(ctx, r, t, m, key, event.InboundOf(m)); err != nil {
			return err
		}
		if err := history.Keep(ctx, r, m, in.clock.Now()); err != nil || !isCommand {
			return err
		}
		return in.once(ctx, r, event.MessageCommand, m, key, cmd)
	})
}

// once appends an event with an id derived from key and its type; an event already
// recorded under that id is not an error.
func (in *messages) once(ctx context.Context, r ports.Repositories, t event.Type, m message.Inbound, key string, data event.Data) error {
	e, err := event.New(t, m.SessionID, in.clock.Now(), data)
	if err != nil {
		return err
	}
	e.ID = event.DerivedID(m.Timestamp, key+"|"+string(t))
	if _, err := r.Events().Append(ctx, e); err != nil && !fault.Is(err, fault.KindConflict) {
		return err
	}
	return nil
}

// Commands configures message_command: a text starting with one of Prefixes whose
// first word is in Names (any word when Names is empty). No prefixes: off.
type Commands struct {
	Prefixes string   // e.g. "/!."
	Names    []string // lower case
}

func (c Commands) parse(m message.Inbound) (event.CommandReceived, bool) {
	text := strings.TrimSpace(m.Content.Text)
	if m.FromMe || m.Content.Kind != message.KindText || text == "" || !strings.ContainsRune(c.Prefixes, rune(text[0])) {
		return event.CommandReceived{}, false
	}
	fields := strings.Fields(text[1:])
	if len(fields) == 0 {
		return event.CommandReceived{}, false
	}
	name := strings.ToLower(fields[0])
	if len(c.Names) > 0 && !slices.Contains(c.Names, name) {
		return event.CommandReceived{}, false
	}
	return event.CommandReceived{Message: event.InboundOf(m), Name: name, Prefix: text[:1], Args: fields[1:], Text: text}, true
}

// history records old messages in pages, never as live message_received events.
func (in *messages) history(ctx context.Context, h ports.TransportHistorySync) error {
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		for start := 0; ; start += historyPageSize {
			end := min(start+historyPageSize, len(h.Messages))
			page := make([]event.InboundMessage, 0, end-start)
			for _, m := range h.Messages[start:end] {
				m.History = true
				page = append(page, event.InboundOf(m))
				if err := history.Keep(ctx, r, m, in.clock.Now()); err != nil {
					return err
				}
			}
			data := event.HistorySynced{Progress: h.Progress, Messages: page}
			if err := eventlog.Append(ctx, r, in.clock, event.HistorySync, h.SessionID, data); err != nil {
				return err
			}
			if end == len(h.Messages) {
				return nil
			}
		}
	})
}

// messageType is the event an inbound message is recorded as: reactions, edits and
// revokes (with the message they are about) are their own events.
func messageType(c message.Content) event.Type {
	if c.Target != nil {
		switch c.Kind {
		case message.KindReaction:
			return event.MessageReaction
		case message.KindEdit:
			return event.MessageEdited
		case message.KindRevoke:
			return event.MessageRevoked
		}
	}
	return event.MessageReceived
}
