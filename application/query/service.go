// Package query holds the read-only use cases.
package query

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/warest-go/warest/application/access"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Queries are the read-only use cases, grouped by what they read, each holding
// only the ports it uses.
type Queries struct {
	Principals *Principals
	Sessions   *Sessions
	Accounts   *Accounts
	Webhooks   *Webhooks
	Events     *Events
	System     *System
	Groups     *Groups
	Profiles   *Profiles // set by application.New
	Chats      *Chats    // set by application.New
	Contacts   *Contacts // set by application.New
	Media      *Media    // set by application.New
}

// New builds the query handlers.
func New(store ports.Store, transport ports.Transport, clock ports.Clock) *Queries {
	return &Queries{Principals: &Principals{store: store, clock: clock}, Sessions: &Sessions{store: store, transport: transport},
		Accounts: &Accounts{store: store}, Webhooks: &Webhooks{store: store}, Events: &Events{store: store},
		System: &System{store: store}}
}

// Principals resolves API keys to their callers. Keys, when set, caches what a key
// authenticates as (for at most access.KeyTTL).
type Principals struct {
	store ports.Store
	clock ports.Clock
	Keys  *access.Keys
}

// Sessions reads sessions, their device and their outbound messages.
type Sessions struct {
	store     ports.Store
	transport ports.Transport
}

// Accounts lists users and their keys.
type Accounts struct{ store ports.Store }

// System reports on the gateway itself. Blobs and FFmpeg, when set, are
// reported by Health too.
type System struct {
	store  ports.Store
	Blobs  ports.BlobStore
	FFmpeg ports.Versioned
}

// Authenticate resolves an API key to its caller. Unknown, revoked and expired keys
// are indistinguishable to the client. It records the key's use (see principal).
func (s *Principals) Authenticate(ctx context.Context, plainKey string) (account.Principal, error) {
	plainKey = strings.TrimSpace(plainKey)
	if plainKey == "" {
		return account.Principal{}, fault.Unauthorized("", "missing API key")
	}
	now := s.clock.Now()
	hash := account.HashKey(plainKey)
	var gen uint64
	if s.Keys != nil {
		var k account.APIKey
		var u account.User
		var ok bool
		if k, u, ok, gen = s.Keys.Get(hash, now); ok {
			if !k.Active(now) { // expired since it was cached
				return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
			}
			due := k.UseDue(now)
			if err := s.recordUse(ctx, &k, now); err != nil {
				return account.Principal{}, err
			}
			if due {
				s.Keys.Touched(hash, now)
			}
			return account.Principal{User: u, KeyID: k.ID}, nil
		}
	}
	k, err := s.store.APIKeys().GetByHash(ctx, hash)
	if fault.Is(err, fault.KindNotFound) || (err == nil && !k.Active(now)) {
		return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
	}
	if err != nil {
		return account.Principal{}, err
	}
	p, err := s.principal(ctx, &k, now)
	if err == nil && s.Keys != nil {
		s.Keys.Put(hash, k, p.User, now, gen)
	}
	return p, err
}

// Principal re-resolves the caller behind a key id (a signed docs cookie names one
// instead of holding the key): a revoked or expired key or a removed user no longer
// authenticates. It records the key's use (see principal).
func (s *Principals) Principal(ctx context.Context, userID, keyID string) (account.Principal, error) {
	keys, err := s.store.APIKeys().ListByUser(ctx, userID)
	if err != nil && !fault.Is(err, fault.KindNotFound) {
		return account.Principal{}, err
	}
	now := s.clock.Now()
	for _, k := range keys {
		if k.ID == keyID && k.Active(now) {
			return s.principal(ctx, &k, now)
		}
	}
	return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
}

// principal loads the owner of an active key and records the use. The use is the
// one write of the read side, kept here so every way of authenticating records it;
// it is written at most once per account.UseRecordInterval, so a key used on every
// request does not cost a write on each.
func (s *Principals) principal(ctx context.Context, k *account.APIKey, now time.Time) (account.Principal, error) {
	u, err := s.store.Users().Get(ctx, k.UserID)
	if fault.Is(err, fault.KindNotFound) {
		return account.Principal{}, fault.Unauthorized(fault.ReasonAPIKeyInvalid, "invalid API key")
	}
	if err != nil {
		return account.Principal{}, err
	}
	if err := s.recordUse(ctx, k, now); err != nil {
		return account.Principal{}, err
	}
	return account.Principal{User: u, KeyID: k.ID}, nil
}

// recordUse writes k's use at now into LastUsedAt, and into k, when due.
func (s *Principals) recordUse(ctx context.Context, k *account.APIKey, now time.Time) error {
	if !k.UseDue(now) {
		return nil
	}
	if err := s.store.APIKeys().Touch(ctx, k.ID, now); err != nil {
		return err
	}
	k.LastUsedAt = &now
	return nil
}

// Session returns one session the caller may see.
func (s *Sessions) Session(ctx context.Context, p account.Principal, id string) (*session.Session, error) {
	return access.Session(ctx, s.store, p, id)
}

// Sessions lists the caller's sessions; admins see every session.
func (s *Sessions) Sessions(ctx context.Context, p account.Principal) ([]*session.Session, error) {
	owner := p.User.Registry
	if p.User.IsAdmin() {
		owner = ""
	}
	return s.store.Sessions().List(ctx, owner)
}

// Device describes the session's linked device.
func (s *Sessions) Device(ctx context.Context, p account.Principal, id string) (ports.DeviceInfo, error) {
	if _, err := s.Session(ctx, p, id); err != nil {
		return ports.DeviceInfo{}, err
	}
	return s.transport.Device(ctx, id)
}

// Message returns an outbound message of a session the caller may see.
func (s *Sessions) Message(ctx context.Context, p account.Principal, sessionID, id string) (message.Outbound, error) {
	if _, err := s.Session(ctx, p, sessionID); err != nil {
		return message.Outbound{}, err
	}
	return s.store.Messages().Get(ctx, sessionID, id)
}

// Users lists accounts; admins only.
func (s *Accounts) Users(ctx context.Context, p account.Principal) ([]account.User, error) {
	if !p.User.IsAdmin() {
		return nil, fault.Forbidden("admin only")
	}
	return s.store.Users().List(ctx)
}

// Keys lists a user's keys (hashes are never returned by the API layer).
func (s *Accounts) Keys(ctx context.Context, p account.Principal, userID string) ([]account.APIKey, error) {
	if !p.User.IsAdmin() && p.User.ID != userID {
		return nil, fault.Forbidden("you may only list your own keys")
	}
	return s.store.APIKeys().ListByUser(ctx, userID)
}

// Health reports the database round trip and, when the system has them, the
// blob store and ffmpeg.
type Health struct {
	Database  string
	LatencyMs int64
	Err       error
	Storage   *Check // nil: no blob store
	FFmpeg    *Check // nil: not reported
}

// Check is one dependency's state: Err says why it cannot be used.
type Check struct {
	Detail    string // ffmpeg's version
	LatencyMs int64
	Err       error
}

// Health pings the store, writes, reads back and deletes a probe object in the
// blob store (so a full or read-only disk shows), and asks ffmpeg its version.
func (s *System) Health(ctx context.Context) Health {
	start := time.Now()
	err := s.store.Ping(ctx)
	h := Health{Database: s.store.Dialect(), LatencyMs: time.Since(start).Milliseconds(), Err: err}
	if s.Blobs != nil {
		start := time.Now()
		err := probeBlobs(ctx, s.Blobs)
		h.Storage = &Check{LatencyMs: time.Since(start).Milliseconds(), Err: err}
	}
	if s.FFmpeg != nil {
		start := time.Now()
		v, err := s.FFmpeg.Version(ctx)
		h.FFmpeg = &Check{Detail: v, LatencyMs: time.Since(start).Milliseconds(), Err: err}
	}
	return h
}

// probeBlobs round-trips a small object under a key of its own, so concurrent
// probes do not meet.
func probeBlobs(ctx context.Context, blobs ports.BlobStore) error {
	var id [8]byte
	_, _ = rand.Read(id[:])
	key, want := "health/probe-"+hex.EncodeToString(id[:]), "WAREST storage probe"
	if _, err := blobs.Put(ctx, key, strings.NewReader(want), "text/plain"); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	defer func() { _ = blobs.Delete(context.WithoutCancel(ctx), key) }()
	r, _, err := blobs.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	defer r.Close()
	got, err := io.ReadAll(io.LimitReader(r, int64(len(want))+1))
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if string(got) != want {
		return errors.New("read back other bytes than written")
	}
	return nil
}
