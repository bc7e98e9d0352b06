// Package account holds users, their roles and their API keys. Passwords and keys are
// only ever stored as hashes.
package account

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// Role decides what a user may do.
type Role string

const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUser }

// AdminRegistry is the tenant id of the seeded admin, as in WAREST.
const AdminRegistry = "admin"

// User is an account. Registry is the tenant id that owns sessions.
type User struct {
	ID           string
	Username     string
	PasswordHash string
	Role         Role
	Registry     string
	Limits       Limits
	CreatedAt    time.Time
}

// IsAdmin reports whether the user has the admin role.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// Caps bound what one user holds at once; 0 is unlimited.
type Caps struct {
	Sessions int // sessions owned
	Streams  int // event streams open on one node
}

// Limits are an admin's overrides of the server's caps for one user; nil keeps the
// server's default.
type Limits struct {
	MaxSessions *int
	MaxStreams  *int
}

// MaxLimit bounds an override (0 already means unlimited).
const MaxLimit = 1_000_000

// Validate refuses overrides outside 0..MaxLimit.
func (l Limits) Validate() error {
	for _, v := range []*int{l.MaxSessions, l.MaxStreams} {
		if v != nil && (*v < 0 || *v > MaxLimit) {
			return fault.Invalid(fault.ReasonInvalidParameter, "limits must be 0 (unlimited) to %d", MaxLimit)
		}
	}
	return nil
}

// Caps resolves the user's caps: the overrides where set, else defaults for users
// and no cap for admins.
func (u User) Caps(defaults Caps) Caps {
	c := defaults
	if u.IsAdmin() {
		c = Caps{}
	}
	if u.Limits.MaxSessions != nil {
		c.Sessions = *u.Limits.MaxSessions
	}
	if u.Limits.MaxStreams != nil {
		c.Streams = *u.Limits.MaxStreams
	}
	return c
}

var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9._@-]{3,64}$`)

// ValidUsername reports whether username could name an account. Usernames are kept
// as given but are unique ignoring case, and a login matches them ignoring case.
func ValidUsername(username string) bool { return usernamePattern.MatchString(username) }

// NewUser validates and builds a user; the password is hashed here.
func NewUser(id, username, password string, role Role, registry string, now time.Time) (User, error) {
	if !ValidUsername(username) {
		return User{}, fault.Invalid(fault.ReasonInvalidParameter, "username must be 3-64 characters of letters, digits, . _ @ -")
	}
	if err := checkPassword(password); err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, fault.Invalid(fault.ReasonInvalidParameter, "role must be admin or user")
	}
	if registry == "" {
		registry = NewRegistry()
	}
	return User{ID: id, Username: username, PasswordHash: HashPassword(password), Role: role, Registry: registry, CreatedAt: now.UTC()}, nil
}

// SetPassword replaces the user's password (its hash).
func (u *User) SetPassword(password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	u.PasswordHash = HashPassword(password)
	return nil
}

func checkPassword(password string) error {
	if len(password) < 8 {
		return fault.Invalid(fault.ReasonInvalidParameter, "password must be at least 8 characters")
	}
	return nil
}

// NewRegistry returns a random 10-letter uppercase tenant code, WAREST's format.
func NewRegistry() string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

const pbkdf2Iterations = 120_000

// HashPassword returns "pbkdf2-sha256$<iter>$<salt hex>$<hash hex>".
func HashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%x$%x", pbkdf2Iterations, salt, key)
}

// DummyPasswordHash is a hash of a random password with HashPassword's parameters.
// A login of an unknown user checks its password against it, so that it costs what
// a wrong password of a known user costs and timing does not tell which usernames
// exist. Computed once, on first use.
func DummyPasswordHash() string { return dummyHash() }

var dummyHash = sync.OnceValue(func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return HashPassword(hex.EncodeToString(b))
})

// CheckPassword compares password with a stored hash in constant time.
func CheckPassword(stored, password string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	salt, err1 := hex.DecodeString(parts[2])
	want, err2 := hex.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// KeyKind tells permanent API keys from login sessions.
type KeyKind string

const (
	// KindAPI keys are issued through the API or seeded; they last until revoked.
	KindAPI KeyKind = "api"
	// KindLogin keys are minted by a login; they end at ExpiresAt or at logout.
	KindLogin KeyKind = "login"
)

// APIKey is a stored key: only its SHA-256 hash and a short display prefix are kept.
type APIKey struct {
	ID         string
	UserID     string
	Kind       KeyKind
	Name       string
	Prefix     string // first characters of the key, to tell keys apart in lists
	Hash       string // hex SHA-256 of the full key
	CreatedAt  time.Time
	ExpiresAt  *time.Time // set on login keys only
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Active reports whether the key may authenticate at now.
func (k APIKey) Active(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// UseRecordInterval bounds how often a key's use is written: LastUsedAt is accurate
// to this, and a key used on every request costs one write per interval.
const UseRecordInterval = time.Minute

// UseDue reports whether a use at now should be recorded in LastUsedAt.
func (k APIKey) UseDue(now time.Time) bool {
	return k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) >= UseRecordInterval
}

const keyPrefix = "wst_"

// NewAPIKey generates a permanent key for a user, returning the plaintext (shown
// once) and the record to store.
func NewAPIKey(id, userID, name string, now time.Time) (plain string, key APIKey) {
	raw := make([]byte, 25)
	_, _ = rand.Read(raw)
	plain = keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	return plain, KeyFromPlain(id, userID, name, plain, now)
}

// LoginKeyName names login keys in key lists.
const LoginKeyName = "login"

// NewLoginKey generates the key of a login session, valid for ttl from now.
func NewLoginKey(id, userID string, now time.Time, ttl time.Duration) (plain string, key APIKey) {
	plain, key = NewAPIKey(id, userID, LoginKeyName, now)
	exp := key.CreatedAt.Add(ttl)
	key.Kind, key.ExpiresAt = KindLogin, &exp
	return plain, key
}

// KeyFromPlain builds the stored record for a key chosen by the operator
// (WAREST_ADMIN_APIKEY).
func KeyFromPlain(id, userID, name, plain string, now time.Time) APIKey {
	p := plain
	if len(p) > 8 {
		p = p[:8]
	}
	return APIKey{ID: id, UserID: userID, Kind: KindAPI, Name: name, Prefix: p, Hash: HashKey(plain), CreatedAt: now.UTC()}
}

// HashKey is how keys are looked up: hex SHA-256 (WAREST-compatible).
func HashKey(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Principal is an authenticated caller.
type Principal struct {
	User  User
	KeyID string
}

// CanAccess reports whether the caller may act on something owned by registry.
// Admins may act on everything.
func (p Principal) CanAccess(registry string) bool {
	return p.User.IsAdmin() || p.User.Registry == registry
}
