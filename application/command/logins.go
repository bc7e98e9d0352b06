package command

import (
	"context"
	"github.com/warest-go/warest/application/access"
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

// Logins starts and ends users' login sessions.
type Logins struct {
	store         ports.Store
	clock         ports.Clock
	ids           ports.IDs
	ttl           time.Duration                      // how long a login session lasts
	checkPassword func(stored, password string) bool // account.CheckPassword; tests count calls
	keys          *access.Keys                       // forgotten when login keys are revoked
}

func newLogins(store ports.Store, clock ports.Clock, ids ports.IDs, ttl time.Duration, keys *access.Keys) *Logins {
	return &Logins{store: store, clock: clock, ids: ids, ttl: ttl, checkPassword: account.CheckPassword, keys: keys}
}

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
func (s *Logins) Login(ctx context.Context, username, password, client string) (LoginResult, error) {
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
	plain, k := account.NewLoginKey(s.ids.NewID(), u.ID, s.clock.Now(), s.ttl)
	err = s.store.InTx(ctx, func(r ports.Repositories) error {
		if err := r.APIKeys().DeleteEndedLogins(ctx, u.ID, k.CreatedAt); err != nil {
			return err
		}
		if err := r.APIKeys().Create(ctx, k); err != nil {
			return err
		}
		return s.pruneLoginKeys(ctx, r, u.ID, k.CreatedAt)
	})
	s.keys.Forget() // older login keys may have ended
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{User: *u, Key: plain, Session: k}, nil
}

// findLogin returns the user a login names, nil when there is none.
func (s *Logins) findLogin(ctx context.Context, username string) (*account.User, error) {
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
func (s *Logins) pruneLoginKeys(ctx context.Context, r ports.Repositories, userID string, now time.Time) error {
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
func (s *Logins) Logout(ctx context.Context, p account.Principal) error {
	keys, err := s.store.APIKeys().ListByUser(ctx, p.User.ID)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.ID == p.KeyID && k.Kind == account.KindLogin {
			defer s.keys.Forget()
			return s.store.APIKeys().Revoke(ctx, k.ID, s.clock.Now())
		}
	}
	return nil
}
