package command

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// SendInput is one send request of any content kind. The session is chosen by id or
// by its own phone; To lists recipients in WAREST's forms (normalised, deduplicated).
// A Content.Reply without a chat quotes a message of each recipient's chat.
type SendInput struct {
	SessionID string
	Phone     string
	To        []string
	Content   message.Content
	// Presence shows typing or recording before each recipient's message.
	Presence message.Presence
	// IdempotencyKey makes a retried request return the first one's messages; a reuse
	// with a different RequestHash is a conflict. RequestHash defaults to a hash of
	// the input.
	IdempotencyKey string
	RequestHash    string
}

// SendResult is the state of one recipient's message when the request answers.
type SendResult struct {
	Message    message.Outbound
	OwnerPhone string // digits of the session's own number
	Replayed   bool   // answered from an earlier request with the same idempotency key
}

// Send queues one message per recipient (each message with its status event, all in
// one transaction), then waits up to SendWait for the worker to hand them to WhatsApp.
// Every outbound path (HTTP routes, webhook response actions) goes through here, so
// they share the queue, its ordering and the recipient cooldown.
func (s *Service) Send(ctx context.Context, p account.Principal, in SendInput) ([]SendResult, error) {
	sess, err := s.sendingSession(ctx, p, in.SessionID, in.Phone)
	if err != nil {
		return nil, err
	}
	to, err := s.normalizer().NormalizeAll(in.To)
	if err != nil {
		return nil, err
	}
	if len(to) > s.cfg.MaxRecipients {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d recipients per request", s.cfg.MaxRecipients)
	}
	content := in.Content
	content.Presence = in.Presence
	now := s.clock.Now()
	msgs := make([]message.Outbound, 0, len(to))
	for _, jid := range to {
		c := content
		if c.Reply != nil && c.Reply.Chat.IsZero() {
			reply := *c.Reply
			reply.Chat = jid
			c.Reply = &reply
		}
		m, err := message.NewOutbound(NewMessageID(), sess.ID(), jid, c, now)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	err = s.store.InTx(ctx, func(r ports.Repositories) error {
		for _, m := range msgs {
			if err := r.Messages().Create(ctx, m); err != nil {
				return err
			}
			if err := s.appendEvent(ctx, r, event.MessageStatus, m.SessionID, event.MessageStatusOf(m, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.committed()
	s.hub.Queue.Poke()
	return s.awaitSent(ctx, sess, msgs), nil
}

// awaitSent waits for each message to leave the queue, then reports its state. With
// SendWait 0 it answers at once: the request only asked for acceptance.
func (s *Service) awaitSent(ctx context.Context, sess *session.Session, msgs []message.Outbound) []SendResult {
	owner := ownerPhone(sess)
	out := make([]SendResult, len(msgs))
	for i, m := range msgs {
		out[i] = SendResult{Message: m, OwnerPhone: owner}
	}
	if s.cfg.SendWait <= 0 {
		return out
	}
	wait, cancel := context.WithTimeout(ctx, s.cfg.SendWait)
	defer cancel()
	for i, m := range msgs {
		done, stop := s.hub.WatchMessage(m.SessionID, m.ID)
		if cur, err := s.store.Messages().Get(ctx, m.SessionID, m.ID); err == nil && cur.Status != message.StatusQueued {
			out[i].Message = cur
			stop()
			continue
		}
		select {
		case <-done:
		case <-wait.Done():
		}
		stop()
		if cur, err := s.store.Messages().Get(ctx, m.SessionID, m.ID); err == nil {
			out[i].Message = cur
		}
	}
	return out
}

func ownerPhone(sess *session.Session) string {
	if me := sess.Me(); me != nil {
		owner, _, _ := strings.Cut(me.JID, "@")
		return owner
	}
	return ""
}

// sendingSession resolves the session by id, or by its own phone number among the
// caller's open sessions, and checks it can send.
func (s *Service) sendingSession(ctx context.Context, p account.Principal, id, phone string) (*session.Session, error) {
	if id == "" && phone != "" {
		found, err := s.sessionByPhone(ctx, p, phone)
		if err != nil {
			return nil, err
		}
		id = found
	}
	sess, err := ownedSession(ctx, s.store, p, id)
	if err != nil {
		return nil, err
	}
	if err := sess.CanSend(); err != nil {
		return nil, err
	}
	return sess, nil
}

func (s *Service) sessionByPhone(ctx context.Context, p account.Principal, phone string) (string, error) {
	digits := s.normalizer().Phone(phone)
	owner := p.User.Registry
	if p.User.IsAdmin() {
		owner = ""
	}
	list, err := s.store.Sessions().List(ctx, owner)
	if err != nil {
		return "", err
	}
	for _, sess := range list {
		if me := sess.Me(); me != nil && sess.Status() == session.StatusOpen && strings.HasPrefix(me.JID, digits+"@") {
			return sess.ID(), nil
		}
	}
	return "", fault.NotFound(fault.ReasonSessionNotFound, "no open session with phone %s", digits)
}

// NewMessageID returns a WhatsApp-style message id: "3EB0" and 18 upper-case hex digits.
func NewMessageID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b))
}
