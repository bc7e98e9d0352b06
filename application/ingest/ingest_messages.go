package ingest

import (
	"context"
	"github.com/warest-go/warest/application/eventlog"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// historyPageSize bounds the messages of one history_sync event.
const historyPageSize = 100

// message records an inbound message as the WAREST event its content calls for (and
// message_command for a command). The events' ids derive from the message, so a
// message the network delivers again (after a lost ack, a restart) is recorded once.
func (in *messages) message(ctx context.Context, m message.Inbound) error {
	key := m.SessionID + "|" + m.Chat.String() + "|" + m.Sender.Best().String() + "|" + m.ID
	t, data := messageEvent(m)
	cmd, isCommand := in.commands.parse(m)
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		if err := in.once(ctx, r, t, m, key, data); err != nil || !isCommand {
			return err
		}
		return in.once(ctx, r, event.MessageCommand, m, key, cmd)
	})
}

// once appends an event with an id derived from key and its type; an event already
// recorded under that id is not an error.
func (in *messages) once(ctx context.Context, r ports.Repositories, t event.Type, m message.Inbound, key string, payload any) error {
	e, err := event.New(t, m.SessionID, in.clock.Now(), payload)
	if err != nil {
		return err
	}
	e.ID = event.DerivedID(m.Timestamp, key+"|"+string(t))
	if t == event.MessageReceived {
		e.MessageID = m.ID
	}
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

func (c Commands) parse(m message.Inbound) (event.MessageCommandData, bool) {
	text := strings.TrimSpace(m.Content.Text)
	if m.FromMe || m.Content.Kind != message.KindText || text == "" || !strings.ContainsRune(c.Prefixes, rune(text[0])) {
		return event.MessageCommandData{}, false
	}
	fields := strings.Fields(text[1:])
	if len(fields) == 0 {
		return event.MessageCommandData{}, false
	}
	name := strings.ToLower(fields[0])
	if len(c.Names) > 0 && !slices.Contains(c.Names, name) {
		return event.MessageCommandData{}, false
	}
	return event.MessageCommandData{ID: m.SessionID, Command: name, Prefix: text[:1], Args: fields[1:], Text: text,
		Key:    event.MessageKey{RemoteJID: m.Chat.String(), ID: m.ID, Participant: groupAuthor(m.Chat, m.Sender)},
		Sender: sender(m.Chat, m.Sender, m.FromMe)}, true
}

// history records old messages in pages, never as live message_received events.
func (in *messages) history(ctx context.Context, h ports.TransportHistorySync) error {
	return in.store.InTx(ctx, func(r ports.Repositories) error {
		for start := 0; ; start += historyPageSize {
			end := min(start+historyPageSize, len(h.Messages))
			page := make([]event.MessageReceivedData, 0, end-start)
			for _, m := range h.Messages[start:end] {
				m.History = true
				page = append(page, receivedData(m))
			}
			data := event.HistorySyncData{ID: h.SessionID, Progress: h.Progress, Count: len(page), Messages: page}
			if err := eventlog.Append(ctx, r, in.clock, event.HistorySync, h.SessionID, data); err != nil {
				return err
			}
			if end == len(h.Messages) {
				return nil
			}
		}
	})
}

// messageEvent picks the event type and payload for an inbound message.
func messageEvent(m message.Inbound) (event.Type, any) {
	c := m.Content
	key := event.MessageKey{RemoteJID: m.Chat.String(), FromMe: m.FromMe, ID: m.ID, Participant: groupAuthor(m.Chat, m.Sender)}
	who := sender(m.Chat, m.Sender, m.FromMe)
	switch {
	case c.Kind == message.KindReaction && c.Target != nil:
		return event.MessageReaction, event.MessageReactionData{ID: m.SessionID, Key: key, Sender: who,
			Reaction: event.Reaction{Text: c.Emoji, Key: event.Key(*c.Target)}}
	case c.Kind == message.KindEdit && c.Target != nil:
		return event.MessageEdited, event.MessageEditedData{ID: m.SessionID, Key: event.Key(*c.Target), Sender: who, Text: c.Text,
			EditedMessage: event.WABody(message.TextContent(c.Text)), Mentions: jids(c.Mentions)}
	case c.Kind == message.KindRevoke && c.Target != nil:
		return event.MessageRevoked, event.MessageRevokedData{ID: m.SessionID, Key: event.Key(*c.Target), Sender: who}
	}
	return event.MessageReceived, receivedData(m)
}

// receivedData shapes an inbound message as WAREST's message_received payload.
func receivedData(m message.Inbound) event.MessageReceivedData {
	key := event.MessageKey{RemoteJID: m.Chat.String(), FromMe: m.FromMe, ID: m.ID, Participant: groupAuthor(m.Chat, m.Sender)}
	d := event.MessageReceivedData{
		ID:          m.SessionID,
		Tags:        event.Tags(m.Content),
		Message:     event.WAMessage{Key: key, MessageTimestamp: m.Timestamp.Unix(), PushName: m.Sender.PushName, Message: event.WABody(m.Content)},
		Text:        m.Content.Text,
		ContentType: string(m.Content.Kind),
		Sender:      sender(m.Chat, m.Sender, m.FromMe),
		Media:       event.Media(m.Content),
		Mentions:    jids(m.Content.Mentions),
		Type:        "notify",
	}
	if r := m.Content.Reply; r != nil {
		k := event.Key(*r)
		d.Quoted = &k
	}
	if m.History {
		d.Type = "append"
	}
	return d
}

func sender(c chat.JID, p chat.Party, fromMe bool) event.Sender {
	s := event.Sender{ChatID: c.String(), FromMe: fromMe, IsGroup: c.Kind() == chat.KindGroup, PushName: p.PushName}
	if !p.JID.IsZero() {
		s.AuthorJID = p.JID.String()
	}
	if !p.LID.IsZero() {
		s.AuthorLID = p.LID.String()
	}
	if s.AuthorJID == "" {
		s.AuthorJID = s.AuthorLID
	}
	return s
}

// groupAuthor is the key's participant: the author, in groups only.
func groupAuthor(c chat.JID, p chat.Party) string {
	if c.Kind() != chat.KindGroup || p.IsZero() {
		return ""
	}
	return p.Best().String()
}

func jids(list []chat.JID) []string {
	out := make([]string, len(list))
	for i, j := range list {
		out[i] = j.String()
	}
	return out
}

func party(p chat.Party) event.Party {
	out := event.Party{PushName: p.PushName}
	if !p.JID.IsZero() {
		out.JID = p.JID.String()
	}
	if !p.LID.IsZero() {
		out.LID = p.LID.String()
	}
	return out
}
