package command

import (
	"context"
	"github.com/warest-go/warest/application/eventlog"
	"log/slog"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Sessions starts sessions and their runtimes: create, pair by code, reconnect,
// resume at boot.
type Sessions struct {
	cfg       Config
	store     ports.Store
	transport ports.Transport
	sink      ports.TransportSink
	clock     ports.Clock
	hub       *notify.Hub
	log       *slog.Logger
	run       *Runtimes
}

// CreateResult is what create and pair-code report back.
type CreateResult struct {
	Session  *session.Session
	QR       notify.QR // zero when no QR is pending
	PairCode string
}

// CreateSession creates the session if it is new (owned by the caller), starts its
// runtime, and waits briefly for the first QR or for the connection to open.
func (s *Sessions) CreateSession(ctx context.Context, p account.Principal, id string) (CreateResult, error) {
	if err := s.ensureStarted(ctx, p, id); err != nil {
		return CreateResult{}, err
	}
	wait, cancel := context.WithTimeout(ctx, s.cfg.QRWait)
	defer cancel()
	var res CreateResult
	s.hub.Sessions.Wait(wait, id, func() bool {
		q, ok := s.hub.QRs.Get(id, s.clock.Now())
		res.QR = q
		return ok || s.isOpen(ctx, id)
	})
	sess, err := s.store.Sessions().Get(ctx, id)
	if err != nil {
		return CreateResult{}, err
	}
	res.Session = sess
	if sess.Status() == session.StatusOpen {
		res.QR = notify.QR{}
	}
	return res, nil
}

func (s *Sessions) isOpen(ctx context.Context, id string) bool {
	sess, err := s.store.Sessions().Get(ctx, id)
	return err == nil && sess.Status() == session.StatusOpen
}

// ensureStarted creates or restarts the session record and starts its runtime.
func (s *Sessions) ensureStarted(ctx context.Context, p account.Principal, id string) error {
	if err := session.ValidateLookup(id); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		sess, err := r.Sessions().Get(ctx, id)
		if fault.Is(err, fault.KindNotFound) {
			if err := s.checkSessionCap(ctx, r, p.User.ID); err != nil {
				return err
			}
			sess, err = session.New(id, p.User.Registry, s.clock.Now())
			if err != nil {
				return err
			}
			if err := r.Sessions().Create(ctx, sess); err != nil {
				if fault.Is(err, fault.KindConflict) {
					// Get matched no exact id: another one differs only in case.
					return fault.Conflict(fault.ReasonSessionExists, "session %s already exists (ids are unique ignoring case)", id)
				}
				return err
			}
			return eventlog.Append(ctx, r, s.clock, event.SessionStatus, id, event.SessionStatusChanged{Tag: "create"})
		}
		if err != nil {
			return err
		}
		if !p.CanAccess(sess.Owner()) {
			return fault.Forbidden("session %s belongs to another user", id)
		}
		switch sess.Status() {
		case session.StatusStopped, session.StatusLoggedOut, session.StatusReplaced:
			if _, err := r.Sessions().Update(ctx, id, func(x *session.Session) error { return x.Start(s.clock.Now()) }); err != nil {
				return err
			}
			return eventlog.Append(ctx, r, s.clock, event.SessionStatus, id, event.SessionStatusChanged{Tag: "create"})
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.hub.Outbox.Poke()
	if here, err := s.run.runsHere(ctx, id); err != nil || !here {
		return err
	}
	// The runtime outlives this request.
	if err := s.run.start(ctx, id); err != nil {
		return fault.Wrap(err, fault.KindUnavailable, "", "could not start the session runtime")
	}
	return nil
}

// checkSessionCap refuses a new session when the user already owns their cap. The
// user's row stays locked until the transaction ends, so concurrent creates of one
// user count one after another and cannot overshoot.
func (s *Sessions) checkSessionCap(ctx context.Context, r ports.Repositories, userID string) error {
	u, err := r.Users().GetForUpdate(ctx, userID)
	if err != nil {
		return err
	}
	limit := u.Caps(s.cfg.Caps).Sessions
	if limit == 0 {
		return nil
	}
	owned, err := r.Sessions().List(ctx, u.Registry)
	if err != nil {
		return err
	}
	if len(owned) >= limit {
		return fault.New(fault.KindForbidden, fault.ReasonLimitReached,
			"session limit reached: %s may own %d sessions; delete one or ask an admin to raise the limit", u.Username, limit)
	}
	return nil
}
