// Package query holds the read-only use cases.
package query

import (
	"context"
	"github.com/warest-go/warest/application/access"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Service answers questions from the store and the transport.
type Service struct {
	store     ports.Store
	transport ports.Transport
	clock     ports.Clock
}

func New(store ports.Store, transport ports.Transport, clock ports.Clock) *Service {
	return &Service{store: store, transport: transport, clock: clock}
}

// Authenticate resolves an API key to its caller. Unknown or revoked keys are
// indistinguishable to the client.
func (s *Service) Authenticate(ctx context.Context, plainKey string) (account.Principal, error) {
	plainKey = strings.TrimSpace(plainKey)
	if plainKey == "" {
		return account.Principal{}, fault.Unauthorized("", "missing API key")
	}
	k, err := s.store.APIKeys().GetByHash(ctx, account.HashKey(plainKey))
	if fault.Is(err, fault.KindNotFound) || (err == nil && !k.Active()) {
		return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
	}
	if err != nil {
		return account.Principal{}, err
	}
	u, err := s.store.Users().Get(ctx, k.UserID)
	if fault.Is(err, fault.KindNotFound) {
		return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
	}
	if err != nil {
		return account.Principal{}, err
	}
	return account.Principal{User: u, KeyID: k.ID}, nil
}

// Principal re-resolves the caller behind a key id (a signed docs cookie names one
// instead of holding the key): a revoked key or a removed user no longer authenticates.
func (s *Service) Principal(ctx context.Context, userID, keyID string) (account.Principal, error) {
	invalid := fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
	keys, err := s.store.APIKeys().ListByUser(ctx, userID)
	if fault.Is(err, fault.KindNotFound) {
		return account.Principal{}, invalid
	}
	if err != nil {
		return account.Principal{}, err
	}
	for _, k := range keys {
		if k.ID != keyID || !k.Active() {
			continue
		}
		u, err := s.store.Users().Get(ctx, userID)
		if fault.Is(err, fault.KindNotFound) {
			return account.Principal{}, invalid
		}
		if err != nil {
			return account.Principal{}, err
		}
		return account.Principal{User: u, KeyID: k.ID}, nil
	}
	return account.Principal{}, invalid
}

// Session returns one session the caller may see.
func (s *Service) Session(ctx context.Context, p account.Principal, id string) (*session.Session, error) {
	return access.Session(ctx, s.store, p, id)
}

// Sessions lists the caller's sessions; admins see every session.
func (s *Service) Sessions(ctx context.Context, p account.Principal) ([]*session.Session, error) {
	owner := p.User.Registry
	if p.User.IsAdmin() {
		owner = ""
	}
	return s.store.Sessions().List(ctx, owner)
}

// Device describes the session's linked device.
func (s *Service) Device(ctx context.Context, p account.Principal, id string) (ports.DeviceInfo, error) {
	if _, err := s.Session(ctx, p, id); err != nil {
		return ports.DeviceInfo{}, err
	}
	return s.transport.Device(ctx, id)
}

// Message returns an outbound message of a session the caller may see.
func (s *Service) Message(ctx context.Context, p account.Principal, sessionID, id string) (message.Outbound, error) {
	if _, err := s.Session(ctx, p, sessionID); err != nil {
		return message.Outbound{}, err
	}
	return s.store.Messages().Get(ctx, sessionID, id)
}

// Users lists accounts; admins only.
func (s *Service) Users(ctx context.Context, p account.Principal) ([]account.User, error) {
	if !p.User.IsAdmin() {
		return nil, fault.Forbidden("admin only")
	}
	return s.store.Users().List(ctx)
}

// Keys lists a user's keys (hashes are never returned by the API layer).
func (s *Service) Keys(ctx context.Context, p account.Principal, userID string) ([]account.APIKey, error) {
	if !p.User.IsAdmin() && p.User.ID != userID {
		return nil, fault.Forbidden("you may only list your own keys")
	}
	return s.store.APIKeys().ListByUser(ctx, userID)
}

// Health reports the database round trip.
type Health struct {
	Database  string
	LatencyMs int64
	Err       error
}

// Health pings the store.
func (s *Service) Health(ctx context.Context) Health {
	start := time.Now()
	err := s.store.Ping(ctx)
	return Health{Database: s.store.Dialect(), LatencyMs: time.Since(start).Milliseconds(), Err: err}
}
