package memory

import (
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
}

type storedInbound struct {
	m       message.Received // without content and reactions
	content []byte
}

func newInboundState() inboundState {
	return inboundState{messages: map[inboundKey]storedInbound{}, reactions: map[reactionKey]message.Reaction{}}
}

func (s inboundState) clone() inboundState {
	return inboundState{messages: maps.Clone(s.messages), reactions: maps.Clone(s.reactions)}
}

func (s inboundState) deleteSession(id string) {
	maps.DeleteFunc(s.messages, func(k inboundKey, _ storedInbound) bool { return k.sessionID == id })
	maps.DeleteFunc(s.reactions, func(k reactionKey, _ message.Reaction) bool { return k.sessionID == id })
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
		s, ok := st.inbound.messages[inboundKey{sessionID, id}]
		if !ok {
			return fault.NotFound(fault.ReasonMessageNotFound, "message %s not found", id)
		}
		out = s.m
		if err := json.Unmarshal(s.content, &out.Content); err != nil {
			return err
		}
		for k, re := range st.inbound.reactions {
			if k.inboundKey == (inboundKey{sessionID, id}) {
				out.Reactions = append(out.Reactions, re)
			}
		}
		return nil
	})
	// As the SQL stores order them: oldest first, then by who reacted.
	slices.SortFunc(out.Reactions, func(a, b message.Reaction) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.By.String(), b.By.String())
	})
	return out, err
}
