package command

import (
	"context"
	"encoding/json"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
)

// resolveTarget finds the message an action is about, by id, in this order:
//  1. a message this session sent (our outbound queue): its chat, fromMe;
//  2. a message this session received (the newest message_received event with that
//     id): its chat, author and fromMe as WhatsApp gave them;
//  3. otherwise, when the client named the chat (`to`), a message of that chat from
//     the peer (fromMe false; revoke assumes fromMe true, as WAREST does).
//
// A stored message wins over the client's `to`. Nothing found and no `to` is 404.
func (s *MessageActions) resolveTarget(ctx context.Context, sess *session.Session, id string, to []string, assumeFromMe bool) (message.Reference, error) {
	if id == "" {
		return message.Reference{}, fault.Invalid(fault.ReasonMissingParameter, "messageId is required")
	}
	if m, err := s.store.Messages().Get(ctx, sess.ID(), id); err == nil {
		return message.Reference{Chat: m.To, ID: id, FromMe: true, Sender: ownJID(sess)}, nil
	} else if !fault.Is(err, fault.KindNotFound) {
		return message.Reference{}, err
	}
	if e, err := s.store.Inbound().FindReceived(ctx, sess.ID(), id); err == nil {
		if ref, ok := referenceOf(e, id); ok {
			return ref, nil
		}
	} else if !fault.Is(err, fault.KindNotFound) {
		return message.Reference{}, err
	}
	if len(to) == 0 {
		return message.Reference{}, fault.NotFound(fault.ReasonMessageNotFound, "message %s not found; give `to` to act on a message we have not seen", id)
	}
	chats, err := s.send.senders.addresses.NormalizeAll(to)
	if err != nil {
		return message.Reference{}, err
	}
	ref := message.Reference{Chat: chats[0], ID: id, FromMe: assumeFromMe}
	if assumeFromMe {
		ref.Sender = ownJID(sess)
	} else if chats[0].Kind() != chat.KindGroup {
		ref.Sender = chats[0]
	}
	return ref, nil
}

// referenceOf reads the message of a stored message_received event: typed, or a
// row stored before typed events (the WAREST payload itself).
func referenceOf(e event.Envelope, id string) (message.Reference, bool) {
	d, err := e.Data()
	if err != nil {
		return message.Reference{}, false
	}
	switch d := d.(type) {
	case event.InboundMessage:
		return message.Reference{Chat: d.Chat, ID: id, FromMe: d.FromMe, Sender: d.Sender.Best()}, true
	case event.Legacy:
		return legacyReference(d, id)
	}
	return message.Reference{}, false
}

func legacyReference(raw event.Legacy, id string) (message.Reference, bool) {
	var d struct {
		Message struct {
			Key struct {
				RemoteJID   string `json:"remoteJid"`
				FromMe      bool   `json:"fromMe"`
				Participant string `json:"participant"`
			} `json:"key"`
		} `json:"message"`
		Sender struct {
			AuthorJID string `json:"authorJid"`
		} `json:"sender"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return message.Reference{}, false
	}
	c, err := chat.ParseJID(d.Message.Key.RemoteJID)
	if err != nil {
		return message.Reference{}, false
	}
	ref := message.Reference{Chat: c, ID: id, FromMe: d.Message.Key.FromMe}
	author := d.Message.Key.Participant
	if author == "" {
		author = d.Sender.AuthorJID
	}
	if j, err := chat.ParseJID(author); err == nil {
		ref.Sender = j
	}
	return ref, true
}

func ownJID(sess *session.Session) chat.JID {
	if me := sess.Me(); me != nil {
		if j, err := chat.ParseJID(me.JID); err == nil {
			return j
		}
	}
	return chat.JID{}
}
