package command

import (
	"context"
	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/application/notify"
	"log/slog"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// SessionTeardown ends sessions: log out (the session stays) or delete.
type SessionTeardown struct {
	store     ports.Store
	transport ports.Transport
	blobs     ports.BlobStore
	clock     ports.Clock
	hub       *notify.Hub
	log       *slog.Logger
}

// Steps reports which parts of a teardown succeeded, as WAREST does.
type Steps struct {
	Runtime bool
	Creds   bool
	Meta    bool
}

// LogoutSession unlinks the device and purges its credentials; the session stays,
// stopped.
func (s *SessionTeardown) LogoutSession(ctx context.Context, p account.Principal, id string) (Steps, error) {
	if _, err := ownedSession(ctx, s.store, p, id); err != nil {
		return Steps{}, err
	}
	steps := s.teardown(ctx, id)
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Sessions().Update(ctx, id, func(x *session.Session) error { return x.Stop(true, s.clock.Now()) }); err != nil {
			return err
		}
		return eventlog.Append(ctx, r, s.clock, event.SessionStatus, id, event.SessionStatusChanged{Tag: "close", Status: string(session.StatusStopped)})
	})
	if err != nil {
		return steps, err
	}
	s.hub.Outbox.Poke()
	return steps, nil
}

// DeleteSession tears the runtime down, purges credentials and removes the session
// with its whole history: the store deletes its events, deliveries, messages,
// idempotency keys and cooldowns in the same transaction, so a later session of the
// same id starts empty. No event records the deletion (it would belong to the
// deleted session); the response is the confirmation. The files of its outbound
// media go after the commit.
func (s *SessionTeardown) DeleteSession(ctx context.Context, p account.Principal, id string) (Steps, error) {
	if _, err := ownedSession(ctx, s.store, p, id); err != nil {
		return Steps{}, err
	}
	steps := s.teardown(ctx, id)
	var blobs []string
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		var err error
		if blobs, err = r.Messages().ListSessionBlobs(ctx, id); err != nil {
			return err
		}
		return r.Sessions().Delete(ctx, id)
	})
	if err != nil {
		return steps, err
	}
	steps.Meta = true
	s.deleteBlobs(ctx, id, blobs)
	return steps, nil
}

// deleteBlobs removes a deleted session's media files. Nothing refers to them any
// more, so a failure only leaves a stray file behind: it is logged, not returned.
func (s *SessionTeardown) deleteBlobs(ctx context.Context, sessionID string, keys []string) {
	for _, key := range keys {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), key); err != nil {
			s.log.ErrorContext(ctx, "could not delete a deleted session's media file", "session", sessionID, "key", key, "err", err)
		}
	}
}

// ReconnectSession restarts the runtime, keeping the credentials.
func (s *Sessions) ReconnectSession(ctx context.Context, p account.Principal, id string) error {
	if _, err := ownedSession(ctx, s.store, p, id); err != nil {
		return err
	}
	if err := s.transport.Stop(ctx, id); err != nil {
		s.log.WarnContext(ctx, "stop before reconnect failed", "session", id, "err", err)
	}
	if here, err := s.run.runsHere(ctx, id); err != nil || !here {
		return err
	}
	return s.run.Resume(ctx, id)
}

// markConnecting moves the session to starting before its runtime starts: until the
// transport reports again, whatever status it had is stale.
func (s *Sessions) markConnecting(ctx context.Context, id string) error {
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		if _, err := r.Sessions().Update(ctx, id, func(x *session.Session) error { return x.Start(s.clock.Now()) }); err != nil {
			return err
		}
		return eventlog.Append(ctx, r, s.clock, event.SessionStatus, id, event.SessionStatusChanged{Tag: "connecting"})
	})
	if err == nil {
		s.hub.Outbox.Poke()
	}
	return err
}

func (s *SessionTeardown) teardown(ctx context.Context, id string) Steps {
	var steps Steps
	if err := s.transport.Stop(ctx, id); err == nil {
		steps.Runtime = true
	} else {
		s.log.WarnContext(ctx, "session stop failed", "session", id, "err", err)
	}
	if err := s.transport.Logout(ctx, id); err == nil {
		steps.Creds = true
	} else {
		s.log.WarnContext(ctx, "session logout failed", "session", id, "err", err)
	}
	s.hub.QRs.Clear(id)
	return steps
}
