package sandbox

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// AddContact creates or updates a virtual person. Empty fields keep what the
// person had; a linked account cannot be made unregistered.
func (n *Network) AddContact(c ports.SandboxContact) (ports.SandboxContact, error) {
	digits, err := parsePhone(c.Phone)
	if err != nil {
		return ports.SandboxContact{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.person(digits)
	if c.Unregistered && p.session != nil {
		return ports.SandboxContact{}, fault.Conflict(fault.ReasonInvalidState, "phone %s is linked to a session", digits)
	}
	p.added, p.unregistered = true, c.Unregistered
	if c.Name != "" {
		p.name = c.Name
	}
	if c.About != "" {
		p.about = c.About
	}
	if c.Business != nil {
		b := *c.Business
		p.business = &b
	}
	return contactOf(p), nil
}

func contactOf(p *person) ports.SandboxContact {
	return ports.SandboxContact{Phone: p.phone, Name: p.name, About: p.about, Unregistered: p.unregistered,
		Business: p.business, JID: p.jid(), LID: p.lid}
}

// VirtualContacts lists the added virtual people by phone.
func (n *Network) VirtualContacts() []ports.SandboxContact {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []ports.SandboxContact{}
	for _, p := range n.people {
		if p.added {
			out = append(out, contactOf(p))
		}
	}
	slices.SortFunc(out, func(a, b ports.SandboxContact) int { return strings.Compare(a.Phone, b.Phone) })
	return out
}

// IsOnWhatsApp checks phones: every valid number is, unless added as unregistered.
func (n *Network) IsOnWhatsApp(ctx context.Context, sessionID string, phones []string) ([]ports.OnWhatsApp, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.actor(ctx, sessionID); err != nil {
		return nil, err
	}
	out := make([]ports.OnWhatsApp, len(phones))
	for i, raw := range phones {
		out[i].Query = raw
		digits, err := parsePhone(raw)
		if err != nil {
			continue
		}
		p, known := n.people[digits]
		if known && p.unregistered {
			continue
		}
		out[i].Exists = true
		out[i].Party = chat.Party{JID: chat.UserJID(digits), LID: lidFor(digits)}
		if known {
			out[i].Party.PushName, out[i].Business = p.name, p.business != nil
		}
	}
	return out, nil
}

// Identify completes a phone JID with its LID or a LID with its phone JID.
func (n *Network) Identify(ctx context.Context, sessionID string, who chat.JID) (chat.Party, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.actor(ctx, sessionID); err != nil {
		return chat.Party{}, err
	}
	p, err := n.reachable(who)
	if err != nil {
		return chat.Party{}, err
	}
	return p.party(), nil
}

// Contacts lists the people the account has direct chats with, by phone.
func (n *Network) Contacts(ctx context.Context, sessionID string) ([]chat.Party, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	me, err := n.actor(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := []chat.Party{}
	for phone := range me.chats {
		if phone != me.phone {
			out = append(out, n.people[phone].party())
		}
	}
	slices.SortFunc(out, func(a, b chat.Party) int { return strings.Compare(a.JID.User, b.JID.User) })
	return out, nil
}
