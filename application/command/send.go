package command

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/notify"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// Sending queues messages: text, media, interactive, each recipient a durable
// outbound message the send queue delivers.
type Sending struct {
	cfg     Config
	store   ports.Store
	quotas  *Quotas // the limits SendCounted counts
	clock   ports.Clock
	hub     *notify.Hub // the outbox and queue wake-ups
	metrics ports.Metrics
	senders senders
	media   mediaPrep
	replies replies
}

// replies answer a send request with its messages' state: after waiting for the
// worker to send them, or, for a retried request, at once.
type replies struct {
	store    ports.Store
	messages messageWatch
	wait     time.Duration // Config.SendWait
}

// messageWatch tells when a message leaves the send queue (notify.Messages).
type messageWatch interface {
	Watch(sessionID, messageID string) (<-chan struct{}, func())
}

// senders finds the session a request sends from.
type senders struct {
	store     ports.Store
	addresses chat.Normalizer
}

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
// they share the queue, its ordering and the recipient cooldown. The acceptance
// (session check, idempotency claim, cooldowns, rows) is one group transaction, so
// concurrent sends share a commit; interleaved, as its checks are each one statement
// with their write or read what no send writes (sessions, cooldowns).
func (s *Sending) Send(ctx context.Context, p account.Principal, in SendInput) ([]SendResult, error) {
	res, _, err := s.send(ctx, p, in, nil)
	return res, err
}

// SendCounted is Send counting the request against the caller's rate limit and quota
// (Throttle's, for a sending route) in the acceptance's own transaction: one commit
// per accepted send instead of two. Over a limit the counts are committed, nothing
// is queued and the error is Throttle's. A request the acceptance refuses rolls its
// counts back with it, so Throttle counts it afterwards: still once. The state is
// valid whatever the error.
func (s *Sending) SendCounted(ctx context.Context, p account.Principal, in SendInput) ([]SendResult, ThrottleState, error) {
	t := s.quotas.tally(p, true)
	res, st, err := s.send(ctx, p, in, &t)
	if err != nil && st == (ThrottleState{}) {
		var terr error
		if st, terr = s.quotas.Throttle(ctx, p, true); terr != nil {
			return nil, st, terr
		}
	}
	return res, st, err
}

// send is Send, counting the request in its transaction when t is set. The state is
// zero unless the counts were committed.
func (s *Sending) send(ctx context.Context, p account.Principal, in SendInput, t *tally) ([]SendResult, ThrottleState, error) {
	var (
		sess   *session.Session
		msgs   []message.Outbound
		replay *ports.IdempotencyRecord
		st     ThrottleState
		over   error
	)
	// The caller's lane: its idempotency keys and limit counters are its own.
	err := s.store.InterleavedGroupTx(ctx, callerScope(p), func(ctx context.Context, r ports.Repositories) error {
		replay, st, over = nil, ThrottleState{}, nil // of an earlier run of fn (see ports.Store.InGroupTx)
		var to []chat.JID
		var err error
		if t != nil {
			if st, err = t.count(ctx, r); err != nil {
				return err
			}
			if over = t.verdict(st); over != nil {
				return nil // commit the counts alone
			}
		}
		if sess, err = s.senders.sessionIn(ctx, r, p, in.SessionID, in.Phone); err != nil {
			return err
		}
		now := s.clock.Now()
		if msgs, to, err = s.outbound(sess, in, now); err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			rec, claimed, err := r.Idempotency().Claim(ctx, in.idempotencyRecord(p, sess.ID(), msgs, now, s.cfg.Limits.IdempotencyTTL))
			if err != nil || !claimed {
				replay = &rec
				return err
			}
		}
		if in.Content.Target == nil { // reactions, edits and revokes are not new messages
			if err := s.cfg.Limits.checkCooldowns(ctx, r, sess.ID(), to, now); err != nil {
				return err
			}
		}
		for _, m := range msgs {
			queued, err := eventlog.New(s.clock, event.MessageStatus, m.SessionID, event.MessageStatusOf(m, now))
			if err != nil {
				return err
			}
			if err := r.Messages().Create(ctx, m, queued); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, ThrottleState{}, err
	case over != nil:
		return nil, st, over
	case replay != nil:
		res, err := s.replies.replayed(ctx, sess, *replay, requestHash(in))
		return res, st, err
	}
	s.metrics.SendsAccepted(len(msgs))
	s.hub.Outbox.Poke()
	s.hub.Queue.Poke()
	return s.replies.awaitSent(ctx, sess, msgs), st, nil
}

// outbound validates the recipients and builds one message per recipient, with the
// recipients it sends to.
func (s *Sending) outbound(sess *session.Session, in SendInput, now time.Time) ([]message.Outbound, []chat.JID, error) {
	to, err := s.senders.addresses.NormalizeAll(in.To)
	if err != nil {
		return nil, nil, err
	}
	if len(to) > s.cfg.MaxRecipients {
		return nil, nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d recipients per request", s.cfg.MaxRecipients)
	}
	for _, jid := range to {
		if err := jid.CheckSendable(); err != nil {
			return nil, nil, err
		}
	}
	content := in.Content
	content.Presence = in.Presence
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
			return nil, nil, err
		}
		if s.cfg.SendExpiry > 0 {
			m.ExpiresAt = m.CreatedAt.Add(s.cfg.SendExpiry)
		}
		msgs = append(msgs, m)
	}
	return msgs, to, nil
}

// checkCooldowns refuses the request when a recipient was sent to successfully less
// than the cooldown ago (WAREST keys this on the raw `to` and records it before
// sending; we key it on the normalised recipient of the session, recorded by the
// worker after a successful send).
func (l Limits) checkCooldowns(ctx context.Context, r ports.Repositories, sessionID string, to []chat.JID, now time.Time) error {
	if l.Cooldown <= 0 {
		return nil
	}
	for _, jid := range to {
		last, err := r.Cooldowns().Last(ctx, sessionID, jid.String())
		if err != nil {
			return err
		}
		if left := throttle.CooldownLeft(last, l.Cooldown, now); left > 0 {
			return exceeded(throttle.LimitCooldown, ceilSecond(left), jid.String())
		}
	}
	return nil
}

func ceilSecond(d time.Duration) time.Duration { return (d + time.Second - 1).Truncate(time.Second) }

// idempotencyRecord is what the request's Idempotency-Key remembers, for ttl.
func (in SendInput) idempotencyRecord(p account.Principal, sessionID string, msgs []message.Outbound, now time.Time, ttl time.Duration) ports.IdempotencyRecord {
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ports.IdempotencyRecord{Scope: callerScope(p), Key: in.IdempotencyKey, Hash: requestHash(in), SessionID: sessionID,
		MessageIDs: ids, CreatedAt: now, ExpiresAt: now.Add(ttl)}
}

// requestHash fingerprints a request: the client's body hash when the edge gave one,
// else the input itself.
func requestHash(in SendInput) string {
	if in.RequestHash != "" {
		return in.RequestHash
	}
	in.IdempotencyKey = ""
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// replayed answers a retried request with the current state of the first request's
// messages; nothing new is queued.
func (s replies) replayed(ctx context.Context, sess *session.Session, rec ports.IdempotencyRecord, hash string) ([]SendResult, error) {
	if rec.Hash != hash || rec.SessionID != sess.ID() {
		return nil, fault.Conflict("", "Idempotency-Key %q was used with a different request", rec.Key)
	}
	out := make([]SendResult, 0, len(rec.MessageIDs))
	for _, id := range rec.MessageIDs {
		m, err := s.store.Messages().Get(ctx, rec.SessionID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, SendResult{Message: m, OwnerPhone: ownerPhone(sess), Replayed: true})
	}
	return out, nil
}

// awaitSent waits for each message to leave the queue, then reports its state. With
// SendWait 0 it answers at once: the request only asked for acceptance.
func (s replies) awaitSent(ctx context.Context, sess *session.Session, msgs []message.Outbound) []SendResult {
	owner := ownerPhone(sess)
	out := make([]SendResult, len(msgs))
	for i, m := range msgs {
		out[i] = SendResult{Message: m, OwnerPhone: owner}
	}
	if s.wait <= 0 {
		return out
	}
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	for i, m := range msgs {
		done, stop := s.messages.Watch(m.SessionID, m.ID)
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

// session resolves the session by id, or by its own phone number among the
// caller's open sessions, and checks it can send.
func (s senders) session(ctx context.Context, p account.Principal, id, phone string) (*session.Session, error) {
	return s.sessionIn(ctx, s.store, p, id, phone)
}

// sessionIn is session on r (a transaction's repositories).
func (s senders) sessionIn(ctx context.Context, r ports.Repositories, p account.Principal, id, phone string) (*session.Session, error) {
	if id == "" && phone != "" {
		found, err := s.byPhone(ctx, r, p, phone)
		if err != nil {
			return nil, err
		}
		id = found
	}
	sess, err := ownedSession(ctx, r, p, id)
	if err != nil {
		return nil, err
	}
	if err := sess.CanSend(); err != nil {
		return nil, err
	}
	return sess, nil
}

func (s senders) byPhone(ctx context.Context, r ports.Repositories, p account.Principal, phone string) (string, error) {
	digits := s.addresses.Phone(phone)
	owner := p.User.Registry
	if p.User.IsAdmin() {
		owner = ""
	}
	list, err := r.Sessions().List(ctx, owner)
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

// Phone reduces a phone number to international digits with the configured
// default country code.
func (s *Sending) Phone(raw string) string { return s.senders.addresses.Phone(raw) }

// NewMessageID returns a WhatsApp-style message id: "3EB0" and 18 upper-case hex digits.
func NewMessageID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return "3EB0" + strings.ToUpper(hex.EncodeToString(b))
}
