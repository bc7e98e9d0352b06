package sandbox

import (
	"context"
	"slices"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// accountState is what the account changed about its own view: stars, messages
// deleted for itself, chat settings. Logout forgets it.
type accountState struct {
	starred []message.Reference
	deleted []message.Reference
	chats   []ports.SandboxChat
}

// ChangeMessage stars, unstars or deletes for the account a message of one of its chats.
func (n *Network) ChangeMessage(ctx context.Context, sessionID string, target message.Reference, change ports.MessageChange) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	cv, err := n.conversation(st.me, target.Chat)
	if err != nil {
		return err
	}
	rec, err := n.find(cv, st.me, target)
	if err != nil {
		return err
	}
	ref := refFor(rec, st.me)
	a := &st.account
	switch change {
	case ports.MessageStar:
		if !slices.Contains(a.starred, ref) {
			a.starred = append(a.starred, ref)
		}
	case ports.MessageUnstar:
		a.starred = slices.DeleteFunc(a.starred, func(r message.Reference) bool { return r == ref })
	case ports.MessageDeleteForMe:
		a.starred = slices.DeleteFunc(a.starred, func(r message.Reference) bool { return r == ref })
		if !slices.Contains(a.deleted, ref) {
			a.deleted = append(a.deleted, ref)
		}
	default:
		return fault.Invalid(fault.ReasonInvalidParameter, "unknown message change %q", change)
	}
	return nil
}

// ChangeChat mutes, archives, pins or clears one of the account's chats.
func (n *Network) ChangeChat(ctx context.Context, sessionID string, to chat.JID, change ports.ChatChange) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.connectedLocked(ctx, sessionID)
	if err != nil {
		return err
	}
	cv, err := n.conversation(st.me, to)
	if err != nil {
		return err
	}
	if !slices.Contains(chatChanges, change.Kind) {
		return fault.Invalid(fault.ReasonInvalidParameter, "unknown chat change %q", change.Kind)
	}
	to = cv.chatFor(st.me)
	a := &st.account
	i := slices.IndexFunc(a.chats, func(c ports.SandboxChat) bool { return c.Chat == to })
	if i < 0 {
		a.chats = append(a.chats, ports.SandboxChat{Chat: to})
		i = len(a.chats) - 1
	}
	c := &a.chats[i]
	switch change.Kind {
	case ports.ChatMute:
		c.Muted, c.MutedUntil = true, change.MuteUntil
	case ports.ChatUnmute:
		c.Muted, c.MutedUntil = false, time.Time{}
	case ports.ChatArchive, ports.ChatUnarchive:
		c.Archived = change.Kind == ports.ChatArchive
	case ports.ChatPin, ports.ChatUnpin:
		c.Pinned = change.Kind == ports.ChatPin
	case ports.ChatClear:
		c.ClearedAt = n.now()
	}
	return nil
}

var chatChanges = []ports.ChatChangeKind{ports.ChatMute, ports.ChatUnmute, ports.ChatArchive, ports.ChatUnarchive,
	ports.ChatPin, ports.ChatUnpin, ports.ChatClear}

// AccountState returns what the session changed about its own view.
func (n *Network) AccountState(sessionID string) (ports.SandboxAccountState, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return ports.SandboxAccountState{}, err
	}
	return ports.SandboxAccountState{Starred: slices.Clone(st.account.starred), DeletedForMe: slices.Clone(st.account.deleted),
		Chats: slices.Clone(st.account.chats)}, nil
}
