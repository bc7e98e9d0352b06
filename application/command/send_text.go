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

// SendTextInput is a text send request; the session is chosen by id or by its own phone.
type SendTextInput struct {
	SessionID string
	Phone     string
	To        []string
	Text      string
	ReplyTo   string
	Forwarded bool
}

// SendResult is the state of one recipient's message when the request answers.
type SendResult struct {
	Message    message.Outbound
	OwnerPhone string // digits of the session's own number
}

// SendText queues one message per recipient (message and event in one transaction),
// then waits up to SendWait for the worker to hand them to WhatsApp.
func (s *Service) SendText(ctx context.Context, p account.Principal, in SendTextInput) ([]SendResult, error) {
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
	content := message.TextContent(in.Text)
	content.Forwarded = in.Forwarded
	msgs := make([]message.Outbound, 0, len(to))
	for _, jid := range to {
		c := content
		if in.ReplyTo != "" {
			c.Reply = &message.Reference{Chat: jid, ID: in.ReplyTo}
		}
		m, err := message.NewOutbound(NewMessageID(), sess.ID(), jid, c, s.clock.Now())
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
			if err := s.appendEvent(ctx, r, event.MessageStatus, m.SessionID, event.MessageStatusOf(m, s.clock.Now())); err != nil {
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

// awaitSent waits for each message to leave the queue, then reports its state.
func (s *Service) awaitSent(ctx context.Context, sess *session.Session, msgs []message.Outbound) []SendResult {
	wait, cancel := context.WithTimeout(ctx, s.cfg.SendWait)
	defer cancel()
	owner := ""
	if me := sess.Me(); me != nil {
		owner, _, _ = strings.Cut(me.JID, "@")
	}
	out := make([]SendResult, len(msgs))
	for i, m := range msgs {
		out[i] = SendResult{Message: m, OwnerPhone: owner}
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
