package account_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func TestNewUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		username string
		password string
		role     account.Role
		registry string
		wantErr  bool
	}{
		{"plain user", "budi", "password1", account.RoleUser, "", false},
		{"admin with fixed registry", "admin", "password1", account.RoleAdmin, account.AdminRegistry, false},
		{"all allowed characters", "a.b_c@d-e9", "12345678", account.RoleUser, "", false},
		{"64 character username", strings.Repeat("u", 64), "12345678", account.RoleUser, "", false},
		{"username too short", "ab", "password1", account.RoleUser, "", true},
		{"username too long", strings.Repeat("u", 65), "password1", account.RoleUser, "", true},
		{"username with space", "bu di", "password1", account.RoleUser, "", true},
		{"username with slash", "bu/di", "password1", account.RoleUser, "", true},
		{"empty username", "", "password1", account.RoleUser, "", true},
		{"password too short", "budi", "1234567", account.RoleUser, "", true},
		{"empty role", "budi", "password1", "", "", true},
		{"unknown role", "budi", "password1", "root", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := account.NewUser("id1", tt.username, tt.password, tt.role, tt.registry, t0)
			if tt.wantErr {
				if !fault.Is(err, fault.KindInvalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != "id1" || u.Username != tt.username || u.Role != tt.role || !u.CreatedAt.Equal(t0) {
				t.Fatalf("unexpected user %+v", u)
			}
			if u.PasswordHash == tt.password || !account.CheckPassword(u.PasswordHash, tt.password) {
				t.Fatalf("password not hashed/checkable: %q", u.PasswordHash)
			}
			if tt.registry != "" && u.Registry != tt.registry {
				t.Fatalf("registry = %q, want %q", u.Registry, tt.registry)
			}
			if tt.registry == "" && !registryFormat.MatchString(u.Registry) {
				t.Fatalf("generated registry %q", u.Registry)
			}
			if u.IsAdmin() != (tt.role == account.RoleAdmin) {
				t.Fatalf("IsAdmin = %v", u.IsAdmin())
			}
		})
	}
}

var registryFormat = regexp.MustCompile(`^[A-Z]{10}$`)

func TestNewRegistry_TenUppercaseLetters(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		r := account.NewRegistry()
		if !registryFormat.MatchString(r) {
			t.Fatalf("NewRegistry() = %q", r)
		}
		seen[r] = true
	}
	if len(seen) < 199 {
		t.Fatalf("only %d distinct registries in 200", len(seen))
	}
}

func TestRole_Valid(t *testing.T) {
	t.Parallel()
	for r, want := range map[account.Role]bool{"admin": true, "user": true, "": false, "Admin": false, "root": false} {
		if r.Valid() != want {
			t.Errorf("Role(%q).Valid() = %v", r, !want)
		}
	}
}

func TestHashPassword_Format(t *testing.T) {
	t.Parallel()
	h := account.HashPassword("correct horse")
	if !regexp.MustCompile(`^pbkdf2-sha256\$120000\$[0-9a-f]{32}\$[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("hash format %q", h)
	}
	if h2 := account.HashPassword("correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	good := account.HashPassword("correct horse")
	parts := strings.Split(good, "$")
	join := func(p ...string) string { return strings.Join(p, "$") }
	flip := func(s string) string { // change the last hex digit
		last := s[len(s)-1]
		r := byte('0')
		if last == '0' {
			r = '1'
		}
		return s[:len(s)-1] + string(r)
	}
	tests := []struct {
		name     string
		stored   string
		password string
		want     bool
	}{
		{"right password", good, "correct horse", true},
		{"wrong password", good, "correct horsf", false},
		{"empty password", good, "", false},
		{"empty stored", "", "correct horse", false},
		{"plaintext stored", "correct horse", "correct horse", false},
		{"wrong scheme", join("bcrypt", parts[1], parts[2], parts[3]), "correct horse", false},
		{"too few parts", join(parts[0], parts[1], parts[2]), "correct horse", false},
		{"too many parts", good + "$00", "correct horse", false},
		{"iteration count lowered", join(parts[0], "1", parts[2], parts[3]), "correct horse", false},
		{"iteration count raised by one", join(parts[0], "120001", parts[2], parts[3]), "correct horse", false},
		{"zero iterations", join(parts[0], "0", parts[2], parts[3]), "correct horse", false},
		{"negative iterations", join(parts[0], "-5", parts[2], parts[3]), "correct horse", false},
		{"non-numeric iterations", join(parts[0], "many", parts[2], parts[3]), "correct horse", false},
		{"bad salt hex", join(parts[0], parts[1], "zz", parts[3]), "correct horse", false},
		{"bad hash hex", join(parts[0], parts[1], parts[2], "xyz"), "correct horse", false},
		{"empty hash", join(parts[0], parts[1], parts[2], ""), "correct horse", false},
		{"tampered salt", join(parts[0], parts[1], flip(parts[2]), parts[3]), "correct horse", false},
		{"tampered hash", join(parts[0], parts[1], parts[2], flip(parts[3])), "correct horse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := account.CheckPassword(tt.stored, tt.password); got != tt.want {
				t.Fatalf("CheckPassword(%q, %q) = %v, want %v", tt.stored, tt.password, got, tt.want)
			}
		})
	}
}

func TestNewAPIKey(t *testing.T) {
	t.Parallel()
	keyFormat := regexp.MustCompile(`^wst_[a-z2-7]{40}$`)
	seen := map[string]bool{}
	for range 100 {
		plain, k := account.NewAPIKey("k1", "u1", "login", t0)
		if !keyFormat.MatchString(plain) {
			t.Fatalf("key format %q", plain)
		}
		if seen[plain] {
			t.Fatalf("duplicate key %q", plain)
		}
		seen[plain] = true
		if k.Hash != account.HashKey(plain) || k.Hash == plain || len(k.Hash) != 64 {
			t.Fatalf("hash %q does not match HashKey(plain)", k.Hash)
		}
		if k.Prefix != plain[:8] || !strings.HasPrefix(k.Prefix, "wst_") {
			t.Fatalf("prefix %q, want %q", k.Prefix, plain[:8])
		}
		if k.ID != "k1" || k.UserID != "u1" || k.Name != "login" || !k.CreatedAt.Equal(t0) || !k.Active(t0) ||
			k.Kind != account.KindAPI || k.ExpiresAt != nil {
			t.Fatalf("unexpected key %+v", k)
		}
	}
}

func TestHashKey_IsHexSHA256(t *testing.T) {
	t.Parallel()
	// echo -n abc | sha256sum
	if got := account.HashKey("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashKey(abc) = %s", got)
	}
}

func TestKeyFromPlain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, plain, wantPrefix string
	}{
		{"long key prefix is 8 chars", "my-operator-key-123", "my-opera"},
		{"short key is its own prefix", "short", "short"},
		{"exactly 8", "12345678", "12345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			local := t0.In(time.FixedZone("X", 3600))
			k := account.KeyFromPlain("id", "uid", "env", tt.plain, local)
			if k.Prefix != tt.wantPrefix || k.Hash != account.HashKey(tt.plain) || k.Name != "env" || k.CreatedAt != t0 ||
				k.Kind != account.KindAPI || k.ExpiresAt != nil {
				t.Fatalf("KeyFromPlain = %+v", k)
			}
		})
	}
}

func TestAPIKey_Active(t *testing.T) {
	t.Parallel()
	before, exp, after := t0.Add(time.Hour-time.Nanosecond), t0.Add(time.Hour), t0.Add(2*time.Hour)
	_, permanent := account.NewAPIKey("k", "u", "n", t0)
	revoked := permanent
	revoked.RevokedAt = &before
	_, login := account.NewLoginKey("l", "u", t0, time.Hour)
	loggedOut := login
	loggedOut.RevokedAt = &before
	tests := []struct {
		name string
		key  account.APIKey
		now  time.Time
		want bool
	}{
		{"permanent key", permanent, after.Add(1000 * time.Hour), true},
		{"revoked key", revoked, after, false},
		{"login session before its end", login, before, true},
		{"login session at its end", login, exp, false},
		{"login session after its end", login, after, false},
		{"login session logged out", loggedOut, before, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.key.Active(tt.now); got != tt.want {
				t.Fatalf("Active(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestNewLoginKey(t *testing.T) {
	t.Parallel()
	local := t0.In(time.FixedZone("X", 3600))
	plain, k := account.NewLoginKey("k1", "u1", local, 12*time.Hour)
	if k.Kind != account.KindLogin || k.Name != "login" || k.UserID != "u1" || k.ID != "k1" || k.Hash != account.HashKey(plain) {
		t.Fatalf("login key %+v", k)
	}
	if k.ExpiresAt == nil || !k.ExpiresAt.Equal(t0.Add(12*time.Hour)) || k.ExpiresAt.Location() != time.UTC {
		t.Fatalf("expires at %v, want %v UTC", k.ExpiresAt, t0.Add(12*time.Hour))
	}
	if other, _ := account.NewLoginKey("k2", "u1", t0, time.Hour); other == plain {
		t.Fatal("two logins got the same key")
	}
}

func TestAPIKey_UseDue(t *testing.T) {
	t.Parallel()
	used := t0
	_, k := account.NewAPIKey("k", "u", "n", t0)
	if !k.UseDue(t0) {
		t.Fatal("a key never used is not due")
	}
	k.LastUsedAt = &used
	for offset, want := range map[time.Duration]bool{
		0: false, time.Second: false, account.UseRecordInterval - time.Nanosecond: false,
		account.UseRecordInterval: true, time.Hour: true, -time.Hour: false,
	} {
		if got := k.UseDue(t0.Add(offset)); got != want {
			t.Errorf("used at t0, UseDue(t0%+v) = %v, want %v", offset, got, want)
		}
	}
}

// A login of an unknown user checks against DummyPasswordHash: it must cost what a
// real hash costs (same scheme and iterations) and match no password.
func TestDummyPasswordHash(t *testing.T) {
	t.Parallel()
	dummy := account.DummyPasswordHash()
	genuine := account.HashPassword("correct horse")
	params := func(h string) string {
		p := strings.Split(h, "$")
		return p[0] + "$" + p[1] + "$" + fmt.Sprint(len(p[2]), len(p[3]))
	}
	if params(dummy) != params(genuine) {
		t.Fatalf("dummy hash %q has other parameters than %q", dummy, genuine)
	}
	if account.DummyPasswordHash() != dummy {
		t.Fatal("the dummy hash changes between calls")
	}
	for _, pw := range []string{"", "correct horse", "password", dummy} {
		if account.CheckPassword(dummy, pw) {
			t.Fatalf("the dummy hash matches %q", pw)
		}
	}
}

func TestValidUsername(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"admin": true, "ADMIN": true, "a.b_c@d-e9": true, strings.Repeat("u", 64): true,
		"ab": false, strings.Repeat("u", 65): false, "bu di": false, "": false, "admİn": false, "\u212Aelvin": false,
	} {
		if got := account.ValidUsername(name); got != want {
			t.Errorf("ValidUsername(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPrincipal_CanAccess(t *testing.T) {
	t.Parallel()
	admin := account.Principal{User: account.User{Role: account.RoleAdmin, Registry: account.AdminRegistry}}
	user := account.Principal{User: account.User{Role: account.RoleUser, Registry: "ABCDEFGHIJ"}}
	tests := []struct {
		name     string
		p        account.Principal
		registry string
		want     bool
	}{
		{"admin own", admin, account.AdminRegistry, true},
		{"admin someone else's", admin, "ABCDEFGHIJ", true},
		{"admin anything", admin, "ZZZZZZZZZZ", true},
		{"user own", user, "ABCDEFGHIJ", true},
		{"user someone else's", user, "ZZZZZZZZZZ", false},
		{"user the admin's", user, account.AdminRegistry, false},
		{"user empty registry", user, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.CanAccess(tt.registry); got != tt.want {
				t.Fatalf("CanAccess(%q) = %v, want %v", tt.registry, got, tt.want)
			}
		})
	}
}

func TestUser_Caps(t *testing.T) {
	t.Parallel()
	defaults := account.Caps{Sessions: 20, Streams: 5}
	n := func(v int) *int { return &v }
	tests := []struct {
		name   string
		role   account.Role
		limits account.Limits
		want   account.Caps
	}{
		{"user takes the defaults", account.RoleUser, account.Limits{}, defaults},
		{"admin is unlimited", account.RoleAdmin, account.Limits{}, account.Caps{}},
		{"user override", account.RoleUser, account.Limits{MaxSessions: n(2)}, account.Caps{Sessions: 2, Streams: 5}},
		{"user override to unlimited", account.RoleUser, account.Limits{MaxStreams: n(0)}, account.Caps{Sessions: 20}},
		{"admin override", account.RoleAdmin, account.Limits{MaxSessions: n(3), MaxStreams: n(1)}, account.Caps{Sessions: 3, Streams: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := (account.User{Role: tt.role, Limits: tt.limits}).Caps(defaults); got != tt.want {
				t.Fatalf("Caps = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLimits_Validate(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	for _, ok := range []account.Limits{{}, {MaxSessions: n(0)}, {MaxStreams: n(account.MaxLimit)}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, bad := range []account.Limits{{MaxSessions: n(-1)}, {MaxStreams: n(account.MaxLimit + 1)}} {
		if err := bad.Validate(); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}
