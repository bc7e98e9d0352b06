package command

import (
	"context"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
)

// resolveTarget finds the message an action is about, by id, in this order:
//  1. a message this session sent (our outbound queue): its chat, fromMe;
//  2. a message this session received (the inbound messages): its chat, author and
//     fromMe as WhatsApp gave them;
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
	if m, err := s.store.Inbound().Get(ctx, sess.ID(), id); err == nil {
		return message.Reference{Chat: m.Chat, ID: id, FromMe: m.FromMe, Sender: m.Sender.Best()}, nil
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

func ownJID(sess *session.Session) chat.JID {
	if me := sess.Me(); me != nil {
		if j, err := chat.ParseJID(me.JID); err == nil {
			return j
		}
	}
	return chat.JID{}
}
