package command

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/ports"
)

// maxLoginKeys bounds the live login sessions of a user: a login beyond it ends the
// oldest. Keys issued through the API are never touched.
const maxLoginKeys = 10

// loginAttempts bounds password guesses per username and client: after Limit
// attempts in a window the client must wait for the next one, right password or not.
var loginAttempts = throttle.Window{Limit: 20, Size: 10 * time.Minute}

// LoginResult is a started login session: Key is its plaintext, shown once.
type LoginResult struct {
	User    account.User
	Key     string
	Session account.APIKey
}

// Login checks the password and starts a login session: a key of kind login that
// ends after cfg.LoginTTL (fixed, not extended by use) or at Logout. Other keys stay
// valid. client names where the attempt came from (the HTTP layer gives the peer
// address). Usernames match ignoring case.
func (s *Service) Login(ctx context.Context, username, password, client string) (LoginResult, error) {
	now := s.clock.Now()
	attempts, err := hit(ctx, s.store, "login:"+strings.ToLower(username)+"|"+client, loginAttempts, now)
	if err != nil {
		return LoginResult{}, err
	}
	if attempts.Exceeded {
		return LoginResult{}, exceeded(throttle.LimitRate, attempts.Reset.Sub(now), "")
	}
	u, err := s.findLogin(ctx, username)
	if err != nil {
		return LoginResult{}, err
	}
	// An unknown user costs a full check against a dummy hash, as a known one does:
	// the time of the answer does not tell which usernames exist.
	stored := account.DummyPasswordHash()
	if u != nil {
		stored = u.PasswordHash
	}
	if !s.checkPassword(stored, password) || u == nil {
		return LoginResult{}, fault.Unauthorized("", "invalid username or password")
	}
	plain, k := account.NewLoginKey(s.ids.NewID(), u.ID, s.clock.Now(), s.cfg.LoginTTL)
	err = s.store.InTx(ctx, func(r ports.Repositories) error {
		if err := r.APIKeys().DeleteEndedLogins(ctx, u.ID, k.CreatedAt); err != nil {
			return err
		}
		if err := r.APIKeys().Create(ctx, k); err != nil {
			return err
		}
		return s.pruneLoginKeys(ctx, r, u.ID, k.CreatedAt)
	})
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{User: *u, Key: plain, Session: k}, nil
}

// findLogin returns the user a login names, nil when there is none.
func (s *Service) findLogin(ctx context.Context, username string) (*account.User, error) {
	if !account.ValidUsername(username) {
		return nil, nil // no store lookup: it could fold non-ASCII input differently per dialect
	}
	u, err := s.store.Users().GetByUsername(ctx, username)
	if fault.Is(err, fault.KindNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// pruneLoginKeys ends the oldest live login sessions beyond maxLoginKeys.
func (s *Service) pruneLoginKeys(ctx context.Context, r ports.Repositories, userID string, now time.Time) error {
	keys, err := r.APIKeys().ListByUser(ctx, userID)
	if err != nil {
		return err
	}
	var live []account.APIKey
	for _, k := range keys {
		if k.Kind == account.KindLogin && k.Active(now) {
			live = append(live, k)
		}
	}
	// ListByUser is oldest first.
	for i := 0; i < len(live)-maxLoginKeys; i++ {
		if err := r.APIKeys().Revoke(ctx, live[i].ID, now); err != nil {
			return err
		}
	}
	return nil
}

// Logout ends the login session p authenticated with. A permanent key is left
// alone: it is revoked through RevokeKey, not by a logout.
func (s *Service) Logout(ctx context.Context, p account.Principal) error {
	keys, err := s.store.APIKeys().ListByUser(ctx, p.User.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == p.KeyID && k.Kind == account.KindLogin {
			return s.store.APIKeys().Revoke(ctx, k.ID, s.clock.Now())
		}
	}
	return nil
}

// CreateUser adds an account; admins only.
func (s *Service) CreateUser(ctx context.Context, p account.Principal, username, password string, role account.Role) (account.User, error) {
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
func (s *Service) SetUserLimits(ctx context.Context, p account.Principal, userID string, l account.Limits) (account.User, error) {
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
	return u, err
}

// IssueKey creates an API key for a user: admins for anyone, users for themselves.
func (s *Service) IssueKey(ctx context.Context, p account.Principal, userID, name string) (string, account.APIKey, error) {
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
func (s *Service) RevokeKey(ctx context.Context, p account.Principal, userID, keyID string) error {
	if !p.User.IsAdmin() && p.User.ID != userID {
		return fault.Forbidden("you may only revoke your own keys")
	}
	keys, err := s.store.APIKeys().ListByUser(ctx, userID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == keyID {
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
// a configured key one is generated when the admin has no active key.
func (s *Service) SeedAdmin(ctx context.Context, username, password, apiKey string) (SeedResult, error) {
	if username == "" {
		username = "admin"
	}
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

func (s *Service) seedKey(ctx context.Context, r ports.Repositories, u account.User, apiKey string, res *SeedResult) error {
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

// ResumeSessions starts the runtime of every auto-start session, at boot. Each is
// marked starting first: the status stored before the restart ("open") says nothing
// of what the transport finds now (it may need a QR), and nothing must be sent on it.
func (s *Service) ResumeSessions(ctx context.Context) error {
	list, err := s.store.Sessions().ListAutoStart(ctx)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if err := s.markConnecting(ctx, sess.ID()); err != nil {
			s.log.WarnContext(ctx, "could not mark session starting", "session", sess.ID(), "err", err)
			continue
		}
		if err := s.transport.Start(ctx, sess.ID(), s.sink); err != nil {
			s.log.WarnContext(ctx, "could not resume session", "session", sess.ID(), "err", err)
		}
	}
	return nil
}
