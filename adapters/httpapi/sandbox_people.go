package httpapi

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

type sandboxContact struct {
	Phone        string                 `json:"phone" example:"6289876543210"`
	Name         string                 `json:"name,omitempty" example:"Budi"`
	About        string                 `json:"about,omitempty"`
	Unregistered bool                   `json:"unregistered,omitempty" doc:"the number is not on WhatsApp"`
	Business     *ports.BusinessProfile `json:"business,omitempty" doc:"makes the contact a business account"`
}

type sandboxContactView struct {
	sandboxContact
	JID string `json:"jid" example:"6289876543210@s.whatsapp.net"`
	LID string `json:"lid" example:"123456789012345@lid"`
}

func toContactView(c ports.SandboxContact) sandboxContactView {
	return sandboxContactView{sandboxContact: sandboxContact{Phone: c.Phone, Name: c.Name, About: c.About, Unregistered: c.Unregistered,
		Business: c.Business}, JID: c.JID.String(), LID: c.LID.String()}
}

func (h *handlers) sandboxContacts(context.Context, *struct{}) (*Response[sandboxContactView], error) {
	list := h.sandbox.VirtualContacts()
	out := make([]sandboxContactView, len(list))
	for i, c := range list {
		out[i] = toContactView(c)
	}
	return success("Virtual contacts", out...), nil
}

type sandboxAddContactInput struct {
	Body sandboxContact
}

func (h *handlers) sandboxAddContact(_ context.Context, in *sandboxAddContactInput) (*Response[sandboxContactView], error) {
	b := in.Body
	c, err := h.sandbox.AddContact(ports.SandboxContact{Phone: b.Phone, Name: b.Name, About: b.About, Unregistered: b.Unregistered, Business: b.Business})
	if err != nil {
		return nil, err
	}
	return success("Contact saved", toContactView(c)), nil
}

// ContactPath selects a session and one of the people around it.
type ContactPath struct {
	SessionPath
	Phone string `path:"phone" doc:"the virtual contact's phone digits" example:"6289876543210"`
}

type sandboxDone struct {
	SessionID string `json:"sessionId"`
}

type sandboxReadInput struct {
	ContactPath
	Body struct {
		MessageIDs []string `json:"messageIds" minItems:"1" doc:"messages the session sent to the contact, directly or in a group"`
		Played     bool     `json:"played,omitempty" doc:"also play the voice notes and videos among them"`
	}
}

func (h *handlers) sandboxRead(ctx context.Context, in *sandboxReadInput) (*Response[sandboxDone], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	if err := h.sandbox.ContactRead(in.SessionID, in.Phone, in.Body.MessageIDs, in.Body.Played); err != nil {
		return nil, err
	}
	return success("Messages read", sandboxDone{SessionID: in.SessionID}), nil
}

type sandboxReactInput struct {
	ContactPath
	Body struct {
		MessageID string `json:"messageId" minLength:"1"`
		Emoji     string `json:"emoji,omitempty" doc:"empty removes the reaction" example:"👍"`
		Group     string `json:"group,omitempty" doc:"the group JID when the message is in a group"`
	}
}

func (h *handlers) sandboxReact(ctx context.Context, in *sandboxReactInput) (*Response[sandboxInboundResult], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	msg, err := sandboxInbound{From: in.Phone, Group: in.Body.Group, SandboxContent: SandboxContent{Kind: string(message.KindReaction),
		TargetID: in.Body.MessageID, Emoji: in.Body.Emoji}}.toInbound()
	if err != nil {
		return nil, err
	}
	id, err := h.sandbox.Inject(in.SessionID, msg)
	if err != nil {
		return nil, err
	}
	return success("Reaction delivered", sandboxInboundResult{MessageID: id}), nil
}

type sandboxPresenceInput struct {
	ContactPath
	Body struct {
		State string `json:"state" enum:"available,unavailable,composing,recording,paused"`
		Group string `json:"group,omitempty" doc:"type in this group instead of the direct chat"`
	}
}

func (h *handlers) sandboxPresence(ctx context.Context, in *sandboxPresenceInput) (*Response[sandboxDone], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	p := ports.SandboxPresence{State: in.Body.State}
	if in.Body.Group != "" {
		g, err := chat.ParseJID(in.Body.Group)
		if err != nil {
			return nil, err
		}
		p.Group = g
	}
	if err := h.sandbox.ContactPresence(in.SessionID, in.Phone, p); err != nil {
		return nil, err
	}
	return success("Presence shown", sandboxDone{SessionID: in.SessionID}), nil
}

type sandboxGroupInput struct {
	SessionPath
	Body struct {
		Name         string   `json:"name" minLength:"1" example:"Sandbox friends"`
		Owner        string   `json:"owner,omitempty" doc:"phone of the virtual creator; the session creates it when omitted"`
		Topic        string   `json:"topic,omitempty"`
		Members      []string `json:"members,omitempty" doc:"phones of the virtual members; the session is always one"`
		Locked       bool     `json:"locked,omitempty" doc:"only admins edit the group info"`
		Announce     bool     `json:"announce,omitempty" doc:"only admins send"`
		JoinApproval bool     `json:"joinApproval,omitempty" doc:"admins approve joins by link"`
	}
}

type sandboxGroupMember struct {
	JID        string `json:"jid"`
	LID        string `json:"lid"`
	PushName   string `json:"pushName,omitempty"`
	Admin      bool   `json:"admin"`
	SuperAdmin bool   `json:"superAdmin"`
}

type sandboxGroupView struct {
	JID          string               `json:"jid" example:"120363000000000001@g.us"`
	Name         string               `json:"name"`
	Topic        string               `json:"topic,omitempty"`
	Owner        string               `json:"owner"`
	Locked       bool                 `json:"locked"`
	Announce     bool                 `json:"announce"`
	JoinApproval bool                 `json:"joinApproval"`
	Participants []sandboxGroupMember `json:"participants"`
	CreatedAt    string               `json:"createdAt"`
}

func (h *handlers) sandboxGroup(ctx context.Context, in *sandboxGroupInput) (*Response[sandboxGroupView], error) {
	if err := h.owned(ctx, in.SessionID); err != nil {
		return nil, err
	}
	b := in.Body
	g, err := h.sandbox.CreateVirtualGroup(in.SessionID, ports.SandboxGroup{Owner: b.Owner, Name: b.Name, Topic: b.Topic, Members: b.Members,
		Locked: b.Locked, Announce: b.Announce, JoinApproval: b.JoinApproval})
	if err != nil {
		return nil, err
	}
	out := sandboxGroupView{JID: g.JID.String(), Name: g.Name, Topic: g.Topic, Owner: g.Owner.JID.String(), Locked: g.Locked,
		Announce: g.Announce, JoinApproval: g.JoinApproval, CreatedAt: isoTime(g.CreatedAt)}
	for _, p := range g.Participants {
		out.Participants = append(out.Participants, sandboxGroupMember{JID: p.Party.JID.String(), LID: p.Party.LID.String(),
			PushName: p.Party.PushName, Admin: p.Admin, SuperAdmin: p.SuperAdmin})
	}
	return success("Group created", out), nil
}
