package command

import (
	"context"
	"fmt"
	"github.com/warest-go/warest/application/access"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Users manages accounts and their API keys.
type Users struct {
	store ports.Store
	clock ports.Clock
	ids   ports.IDs
	keys  *access.Keys // forgotten when a key is revoked or a user's limits change
}

// CreateUser adds an account; admins only.
func (s *Users) CreateUser(ctx context.Context, p account.Principal, username, password string, role account.Role) (account.User, error) {
	if !p.User.IsAdmin() {
		return account.User{}, fault.Forbidden("admin only")
	}
	if role == "" {
		role = account.RoleUser
	}
	u, err := account.NewUser(s.ids.NewID(), username, password, role, "", s.clock.Now())
	if err != nil {
		return account.User{}, err
	}
	if err := s.store.Users().Create(ctx, u); err != nil {
		if fault.Is(err, fault.KindConflict) {
			return account.User{}, fault.Conflict("", "username %s is taken (usernames are unique ignoring case)", username)
		}
		return account.User{}, err
	}
	return u, nil
}

// SetUserLimits replaces a user's overrides of the server's caps; admins only.
func (s *Users) SetUserLimits(ctx context.Context, p account.Principal, userID string, l account.Limits) (account.User, error) {
	if !p.User.IsAdmin() {
		return account.User{}, fault.Forbidden("admin only")
	}
	if err := l.Validate(); err != nil {
		return account.User{}, err
	}
	var u account.User
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		var err error
		if u, err = r.Users().GetForUpdate(ctx, userID); err != nil {
			return err
		}
		u.Limits = l
		return r.Users().Update(ctx, u)
	})
	s.keys.Forget()
	return u, err
}

// IssueKey creates an API key for a user: admins for anyone, users for themselves.
func (s *Users) IssueKey(ctx context.Context, p account.Principal, userID, name string) (string, account.APIKey, error) {
	if !p.User.IsAdmin() && p.User.ID != userID {
		return "", account.APIKey{}, fault.Forbidden("you may only issue keys for yourself")
	}
	if _, err := s.store.Users().Get(ctx, userID); err != nil {
		return "", account.APIKey{}, err
	}
	if name == "" {
		name = "api"
	}
	plain, k := account.NewAPIKey(s.ids.NewID(), userID, name, s.clock.Now())
	if err := s.store.APIKeys().Create(ctx, k); err != nil {
		return "", account.APIKey{}, err
	}
	return plain, k, nil
}

// RevokeKey revokes one of a user's keys: admins for anyone, users their own.
func (s *Users) RevokeKey(ctx context.Context, p account.Principal, userID, keyID string) error {
	if !p.User.IsAdmin() && p.User.ID != userID {
		return fault.Forbidden("you may only revoke your own keys")
	}
	keys, err := s.store.APIKeys().ListByUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == keyID {
			defer s.keys.Forget()
			return s.store.APIKeys().Revoke(ctx, keyID, s.clock.Now())
		}
	}
	return fault.NotFound("", "api key %s not found", keyID)
}

// SeedResult tells what the admin seed generated; generated secrets are printed once.
type SeedResult struct {
	Username          string
	GeneratedPassword string
	GeneratedKey      string
}

// SeedAdmin makes sure the admin account exists with the configured password and key.
// Without a configured password a random one is generated on first boot only; without
// a configured key one is generated when the admin has no active key. Nodes starting
// together on a fresh database race to create the admin: a loser (a conflict) seeds
// again and finds the winner's.
func (s *Users) SeedAdmin(ctx context.Context, username, password, apiKey string) (SeedResult, error) {
	if username == "" {
		username = "admin"
	}
	for tries := 1; ; tries++ {
		res, err := s.seedAdmin(ctx, username, password, apiKey)
		if !fault.Is(err, fault.KindConflict) || tries == 3 {
			return res, err
		}
	}
}

func (s *Users) seedAdmin(ctx context.Context, username, password, apiKey string) (SeedResult, error) {
	res := SeedResult{Username: username}
	err := s.store.InTx(ctx, func(r ports.Repositories) error {
		u, err := r.Users().GetByUsername(ctx, username)
		switch {
		case fault.Is(err, fault.KindNotFound):
			if password == "" {
				password = randomSecret(20)
				res.GeneratedPassword = password
			}
			u, err = account.NewUser(s.ids.NewID(), username, password, account.RoleAdmin, account.AdminRegistry, s.clock.Now())
			if err != nil {
				return err
			}
			if err := r.Users().Create(ctx, u); err != nil {
				return err
			}
		case err != nil:
			return err
		case password != "":
			// The configured password wins on every boot, as in WAREST.
			u.PasswordHash = account.HashPassword(password)
			u.Role = account.RoleAdmin
			if err := r.Users().Update(ctx, u); err != nil {
				return err
			}
		}
		return s.seedKey(ctx, r, u, apiKey, &res)
	})
	return res, err
}

func (s *Users) seedKey(ctx context.Context, r ports.Repositories, u account.User, apiKey string, res *SeedResult) error {
	if apiKey != "" {
		_, err := r.APIKeys().GetByHash(ctx, account.HashKey(apiKey))
		if err == nil {
			return nil
		}
		if !fault.Is(err, fault.KindNotFound) {
			return err
		}
		return r.APIKeys().Create(ctx, account.KeyFromPlain(s.ids.NewID(), u.ID, "env", apiKey, s.clock.Now()))
	}
	keys, err := r.APIKeys().ListByUser(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Kind == account.KindAPI && k.Active(s.clock.Now()) {
			return nil
		}
	}
	plain, k := account.NewAPIKey(s.ids.NewID(), u.ID, "seed", s.clock.Now())
	res.GeneratedKey = plain
	if err := r.APIKeys().Create(ctx, k); err != nil {
		return fmt.Errorf("seed admin key: %w", err)
	}
	return nil
}
