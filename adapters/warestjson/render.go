// Package warestjson renders events in WAREST's wire format: the `data` object of a
// webhook body and of the events API, with inbound messages in the shape of a
// WhatsApp Web (Baileys) message object. Events are stored in a neutral form
// (domain/event); this is the one place that knows how receivers read them.
package warestjson

import (
	"encoding/json"
	"fmt"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

var _ ports.EventRenderer = Renderer{}

// Renderer renders stored events as WAREST `data` objects.
type Renderer struct{}

// Render returns the `data` object of e (without the sessionId a webhook adds). A
// row stored before typed events is returned as it was stored.
func (Renderer) Render(e event.Envelope) (json.RawMessage, error) {
	d, err := e.Data()
	if err != nil {
		return nil, err
	}
	if l, ok := d.(event.Legacy); ok {
		return json.RawMessage(l), nil
	}
	v, err := shape(e.Type, e.SessionID, d)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// shape builds the WAREST value of an event of type t about session id.
func shape(t event.Type, id string, d event.Data) (any, error) {
	switch d := d.(type) {
	case event.SessionStatusChanged:
		return SessionStatusData{ID: id, Tags: d.Tag, Status: d.Status, QR: d.QRImage, QRString: d.QRCode,
			QRDuration: int(d.QRValidFor.Seconds()), Me: me(d.Me), Reason: d.Reason, Attempts: d.Attempts, Code: d.Code,
			RetryInMs: d.RetryIn.Milliseconds()}, nil
	case event.SessionHealthChanged:
		return SessionHealthData{ID: id, Health: d.Health, Status: d.Status, Code: d.Code, Reason: d.Reason, Attempts: d.Attempts,
			RetryInMs: d.RetryIn.Milliseconds()}, nil
	case event.DeviceLinked:
		return CredsUpdateData{ID: id, Me: me(&d.Me)}, nil
	case event.InboundMessage:
		return inbound(t, id, d)
	case event.CommandReceived:
		m := d.Message
		return MessageCommandData{ID: id, Command: d.Name, Prefix: d.Prefix, Args: d.Args, Text: d.Text,
			Key:    MessageKey{RemoteJID: m.Chat.String(), ID: m.ID, Participant: groupAuthor(m.Chat, m.Sender)},
			Sender: sender(m.Chat, m.Sender, m.FromMe)}, nil
	case event.HistorySynced:
		page := make([]MessageReceivedData, len(d.Messages))
		for i, m := range d.Messages {
			page[i] = received(id, m)
		}
		return HistorySyncData{ID: id, Progress: d.Progress, Count: len(page), Messages: page}, nil
	case event.ReceiptReceived:
		return MessageAckData{ID: id, Chat: d.Chat.String(), MessageIDs: d.MessageIDs, Status: string(d.Status), By: party(d.By),
			Timestamp: d.At.Unix()}, nil
	case event.Undecryptable:
		return MessageUndecryptableData{ID: id, Key: MessageKey{RemoteJID: d.Chat.String(), ID: d.ID, Participant: groupAuthor(d.Chat, d.Sender)},
			Sender: sender(d.Chat, d.Sender, false), Timestamp: d.At.Unix()}, nil
	case event.MessageStatusChanged:
		return MessageStatusData{ID: id, MessageID: d.MessageID, To: d.To.String(), Status: string(d.Status), Reason: d.Reason,
			FailCode: d.FailCode, Timestamp: d.At.Unix()}, nil
	case event.GroupMembersChanged:
		out := GroupParticipantsData{ID: id, GroupID: d.Group.String(), Action: d.Action, Timestamp: d.At.Unix(),
			Participants: make([]string, len(d.Members)), ParticipantsInfo: make([]Party, len(d.Members))}
		for i, p := range d.Members {
			out.Participants[i] = p.Best().String()
			out.ParticipantsInfo[i] = party(p)
		}
		out.Author = author(d.By)
		return out, nil
	case event.GroupSettingsChanged:
		// WhatsApp Web's field names; only the changed fields.
		update := map[string]any{"id": d.Group.String()}
		if d.Name != nil {
			update["subject"] = *d.Name
		}
		if d.Topic != nil {
			update["desc"] = *d.Topic
		}
		if d.Locked != nil {
			update["restrict"] = *d.Locked
		}
		if d.Announce != nil {
			update["announce"] = *d.Announce
		}
		return GroupUpdateData{ID: id, GroupID: d.Group.String(), Update: update, Author: author(d.By), Timestamp: d.At.Unix()}, nil
	case event.JoinRequested:
		return GroupJoinRequestData{ID: id, GroupID: d.Group.String(), Participant: d.Who.Best().String(), Requester: party(d.Who),
			RequestMethod: d.Method, Timestamp: d.At.Unix()}, nil
	case event.PresenceChanged:
		entry := PresenceEntry{LastKnownPresence: d.State}
		if !d.LastSeen.IsZero() {
			entry.LastSeen = d.LastSeen.Unix()
		}
		if !d.From.LID.IsZero() {
			entry.LID = d.From.LID.String()
		}
		who := d.From.Best().String()
		where := who // a contact's own presence is keyed by the contact
		if !d.Chat.IsZero() {
			where = d.Chat.String()
		}
		return PresenceUpdateData{ID: id, Presence: Presence{ID: where, Presences: map[string]PresenceEntry{who: entry}}}, nil
	case event.CallUpdated:
		info := CallInfo{ID: d.CallID, From: d.From.Best().String(), Status: d.State, IsVideo: d.Video, IsGroup: d.Group, Date: d.At.Unix()}
		if !d.From.LID.IsZero() {
			info.FromLID = d.From.LID.String()
		}
		return CallData{ID: id, Calls: []CallInfo{info}}, nil
	case event.SubscriptionDisabled:
		return WebhookDisabledData{ID: id, SubscriptionID: d.SubscriptionID, URL: d.URL, Failures: d.Failures, Reason: d.Reason}, nil
	case event.ActionFailed:
		return WebhookActionFailedData{ID: id, DeliveryID: d.DeliveryID, EventID: d.EventID, Path: d.Path, Action: d.Action, Error: d.Error}, nil
	}
	return nil, fmt.Errorf("warestjson: no WAREST shape for %s (%T)", t, d)
}

// inbound renders an inbound message as the event its type names.
func inbound(t event.Type, id string, m event.InboundMessage) (any, error) {
	c := m.Content
	if t != event.MessageReceived && c.Target == nil {
		return nil, fmt.Errorf("warestjson: %s of message %s has no target", t, m.ID)
	}
	who := sender(m.Chat, m.Sender, m.FromMe)
	switch t {
	case event.MessageReceived:
		return received(id, m), nil
	case event.MessageReaction:
		return MessageReactionData{ID: id, Key: key(m), Sender: who, Reaction: Reaction{Text: c.Emoji, Key: Key(*c.Target)}}, nil
	case event.MessageEdited:
		return MessageEditedData{ID: id, Key: Key(*c.Target), Sender: who, Text: c.Text,
			EditedMessage: WABody(message.TextContent(c.Text)), Mentions: jids(c.Mentions)}, nil
	case event.MessageRevoked:
		return MessageRevokedData{ID: id, Key: Key(*c.Target), Sender: who}, nil
	}
	return nil, fmt.Errorf("warestjson: %s does not carry a message", t)
}

// received is WAREST's message_received payload: live (notify) or from history (append).
func received(id string, m event.InboundMessage) MessageReceivedData {
	d := MessageReceivedData{
		ID:          id,
		Tags:        Tags(m.Content),
		Message:     WAMessage{Key: key(m), MessageTimestamp: m.SentAt.Unix(), PushName: m.Sender.PushName, Message: WABody(m.Content)},
		Text:        m.Content.Text,
		ContentType: string(m.Content.Kind),
		Sender:      sender(m.Chat, m.Sender, m.FromMe),
		Media:       Media(m.Content),
		Mentions:    jids(m.Content.Mentions),
		Type:        "notify",
	}
	if r := m.Content.Reply; r != nil {
		k := Key(*r)
		d.Quoted = &k
	}
	if m.History {
		d.Type = "append"
	}
	return d
}

// key is the key of the inbound message itself.
func key(m event.InboundMessage) MessageKey {
	return MessageKey{RemoteJID: m.Chat.String(), FromMe: m.FromMe, ID: m.ID, Participant: groupAuthor(m.Chat, m.Sender)}
}

func sender(c chat.JID, p chat.Party, fromMe bool) Sender {
	s := Sender{ChatID: c.String(), FromMe: fromMe, IsGroup: c.Kind() == chat.KindGroup, PushName: p.PushName}
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

// groupAuthor is a key's participant: the author, in groups only.
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

func party(p chat.Party) Party {
	out := Party{PushName: p.PushName}
	if !p.JID.IsZero() {
		out.JID = p.JID.String()
	}
	if !p.LID.IsZero() {
		out.LID = p.LID.String()
	}
	return out
}

func author(p chat.Party) *Party {
	if p.IsZero() {
		return nil
	}
	a := party(p)
	return &a
}

func me(i *event.Identity) *Me {
	if i == nil {
		return nil
	}
	return &Me{ID: i.JID, LID: i.LID, Name: i.Name}
}
