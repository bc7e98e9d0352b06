package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

type inboundKey struct{ sessionID, id string }

type reactionKey struct {
	inboundKey
	by chat.JID
}

// inboundState holds received messages with their content as JSON, as the SQL
// stores keep it: a caller never shares the stored content's pointers.
type inboundState struct {
	messages  map[inboundKey]storedInbound
	reactions map[reactionKey]message.Reaction
	pins      map[inboundKey]time.Time // id: the chat
}

type storedInbound struct {
	m       message.Received // without content and reactions
	content []byte
}

func newInboundState() inboundState {
	return inboundState{messages: map[inboundKey]storedInbound{}, reactions: map[reactionKey]message.Reaction{},
		pins: map[inboundKey]time.Time{}}
}

func (s inboundState) clone() inboundState {
	return inboundState{messages: maps.Clone(s.messages), reactions: maps.Clone(s.reactions), pins: maps.Clone(s.pins)}
}

func (s inboundState) deleteSession(id string) {
	maps.DeleteFunc(s.messages, func(k inboundKey, _ storedInbound) bool { return k.sessionID == id })
	maps.DeleteFunc(s.reactions, func(k reactionKey, _ message.Reaction) bool { return k.sessionID == id })
	maps.DeleteFunc(s.pins, func(k inboundKey, _ time.Time) bool { return k.sessionID == id })
}

type inbound repos

func (r inbound) Save(_ context.Context, m message.Inbound, receivedAt time.Time) error {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return err
	}
	return r.with(func(st *state) error {
		if err := st.sessionGone(m.SessionID); err != nil {
			return err
		}
		k := inboundKey{m.SessionID, m.ID}
		if _, ok := st.inbound.messages[k]; !ok {
			m.Content, m.Sender.PushName = message.Content{}, message.StorableText(m.Sender.PushName)
			st.inbound.messages[k] = storedInbound{m: message.Received{Inbound: m, ReceivedAt: receivedAt}, content: content}
		}
		return nil
	})
}

func (r inbound) Edit(_ context.Context, sessionID, id, text string, at time.Time) error {
	return r.update(sessionID, id, func(m *message.Received, c *message.Content) {
		c.Text, m.EditedAt = text, at
	})
}

func (r inbound) Revoke(_ context.Context, sessionID, id string, at time.Time) error {
	return r.update(sessionID, id, func(m *message.Received, c *message.Content) {
		*c, m.RevokedAt = message.Content{Kind: c.Kind}, at
	})
}

func (r inbound) update(sessionID, id string, change func(*message.Received, *message.Content)) error {
	return r.with(func(st *state) error {
		k := inboundKey{sessionID, id}
		s, ok := st.inbound.messages[k]
		if !ok {
			return fault.NotFound(fault.ReasonMessageNotFound, "message %s not found", id)
		}
		var c message.Content
		if err := json.Unmarshal(s.content, &c); err != nil {
			return err
		}
		change(&s.m, &c)
		content, err := json.Marshal(c)
		if err != nil {
			return err
		}
		s.content = content
		st.inbound.messages[k] = s
		return nil
	})
}

func (r inbound) React(_ context.Context, sessionID, messageID string, by chat.JID, emoji string, at time.Time) error {
	return r.with(func(st *state) error {
		if err := st.sessionGone(sessionID); err != nil {
			return err
		}
		k := reactionKey{inboundKey{sessionID, messageID}, by}
		if emoji == "" {
			delete(st.inbound.reactions, k)
		} else {
			st.inbound.reactions[k] = message.Reaction{By: by, Emoji: message.StorableText(emoji), At: at}
		}
		return nil
	})
}

func (r inbound) Get(_ context.Context, sessionID, id string) (message.Received, error) {
	var out message.Received
	err := r.with(func(st *state) error {
		var err error
		out, err = st.inbound.load(inboundKey{sessionID, id})
		return err
	})
	return out, err
}

// load returns a stored message with its content and reactions.
func (s inboundState) load(k inboundKey) (message.Received, error) {
	stored, ok := s.messages[k]
	if !ok {
		return message.Received{}, fault.NotFound(fault.ReasonMessageNotFound, "message %s not found", k.id)
	}
	out := stored.m
	if err := json.Unmarshal(stored.content, &out.Content); err != nil {
		return message.Received{}, err
	}
	for rk, re := range s.reactions {
		if rk.inboundKey == k {
			out.Reactions = append(out.Reactions, re)
		}
	}
	// As the SQL stores order them: oldest first, then by who reacted.
	slices.SortFunc(out.Reactions, func(a, b message.Reaction) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.By.String(), b.By.String())
	})
	return out, nil
}

// chat returns every message of one chat in history order.
func (s inboundState) chat(sessionID string, c chat.JID) ([]message.Received, error) {
	var out []message.Received
	for k, stored := range s.messages {
		if k.sessionID == sessionID && stored.m.Chat == c {
			m, err := s.load(k)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, message.CompareHistory)
	return out, nil
}

func (r inbound) History(_ context.Context, q message.HistoryQuery) (message.HistoryPage, error) {
	var page message.HistoryPage
	err := r.with(func(st *state) error {
		all, err := st.inbound.chat(q.SessionID, q.Chat)
		if err != nil {
			return err
		}
		skip := q.Offset
		for _, m := range all {
			if !q.Filter.Matches(m) {
				continue
			}
			page.Total++
			if q.Cursor != nil && !q.Cursor.Before(m) || len(page.Messages) == q.Limit {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			page.Messages = append(page.Messages, m)
		}
		return nil
	})
	return page, err
}

func (r inbound) Chats(_ context.Context, sessionID string) ([]message.ChatSummary, error) {
	var out []message.ChatSummary
	err := r.with(func(st *state) error {
		chats := map[chat.JID]bool{}
		for k, stored := range st.inbound.messages {
			if k.sessionID == sessionID {
				chats[stored.m.Chat] = true
			}
		}
		for c := range chats {
			all, err := st.inbound.chat(sessionID, c)
			if err != nil {
				return err
			}
			_, pinned := st.inbound.pins[inboundKey{sessionID, c.String()}]
			sum := message.ChatSummary{Chat: c, Messages: len(all), LastText: all[0].Content.Text, LastAt: all[0].Timestamp,
				FirstAt: all[len(all)-1].Timestamp, Pinned: pinned}
			for _, m := range all {
				if sum.Name == "" && !m.FromMe {
					sum.Name = m.Sender.PushName
				}
				if (message.HistoryFilter{UnreadOnly: true}).Matches(m) {
					sum.Unread++
				}
				if (message.HistoryFilter{MediaOnly: true}).Matches(m) {
					sum.Media++
				}
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}

func (r inbound) MarkRead(_ context.Context, sessionID string, ids []string, at time.Time) error {
	for _, id := range ids {
		if err := r.change(sessionID, id, func(m *message.Received) { m.ReadAt = cmp.Or(m.ReadAt, at) }); err != nil {
			return err
		}
	}
	return nil
}

func (r inbound) Receipt(_ context.Context, sessionID, id string, status message.Status, at time.Time) error {
	return r.change(sessionID, id, func(m *message.Received) {
		switch status {
		case message.StatusDelivered:
			m.DeliveredAt = cmp.Or(m.DeliveredAt, at)
		case message.StatusRead, message.StatusPlayed:
			m.DeliveredAt, m.SeenAt = cmp.Or(m.DeliveredAt, at), cmp.Or(m.SeenAt, at)
		}
	})
}

func (r inbound) Star(_ context.Context, sessionID, id string, starred bool, at time.Time) error {
	return r.change(sessionID, id, func(m *message.Received) {
		m.StarredAt = time.Time{}
		if starred {
			m.StarredAt = at
		}
	})
}

// change alters a recorded message's times; one not recorded is left alone.
func (r inbound) change(sessionID, id string, fn func(*message.Received)) error {
	return r.with(func(st *state) error {
		k := inboundKey{sessionID, id}
		if s, ok := st.inbound.messages[k]; ok {
			fn(&s.m)
			st.inbound.messages[k] = s
		}
		return nil
	})
}

func (r inbound) PinChat(_ context.Context, sessionID string, c chat.JID, pinned bool, at time.Time) error {
	return r.with(func(st *state) error {
		if err := st.sessionGone(sessionID); err != nil {
			return err
		}
		if pinned {
			st.inbound.pins[inboundKey{sessionID, c.String()}] = at
		} else {
			delete(st.inbound.pins, inboundKey{sessionID, c.String()})
		}
		return nil
	})
}

func (r inbound) Forget(_ context.Context, sessionID string, before time.Time, limit int) (int, error) {
	n := 0
	err := r.with(func(st *state) error {
		var old []storedInbound
		for k, s := range st.inbound.messages {
			if k.sessionID == sessionID && s.m.Timestamp.Before(before) {
				old = append(old, s)
			}
		}
		slices.SortFunc(old, func(a, b storedInbound) int { return a.m.Timestamp.Compare(b.m.Timestamp) })
		for _, s := range old[:min(limit, len(old))] {
			delete(st.inbound.messages, inboundKey{sessionID, s.m.ID})
			n++
		}
		maps.DeleteFunc(st.inbound.reactions, func(k reactionKey, re message.Reaction) bool {
			_, kept := st.inbound.messages[k.inboundKey]
			return k.sessionID == sessionID && !kept && re.At.Before(before)
		})
		return nil
	})
	return n, err
}
