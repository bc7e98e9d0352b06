package command_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/test/appworld"
)

func seededWorld(t *testing.T) *appworld.World {
	t.Helper()
	return appworld.New(t, appworld.Options{})
}

// emptyWorld has no users: its admin comes from SeedAdmin.
func emptyWorld(t *testing.T) *appworld.World {
	t.Helper()
	return appworld.New(t, appworld.Options{NoUsers: true})
}

func authenticates(w *appworld.World, key string) (account.Principal, bool) {
	p, err := w.Qry.Principals.Authenticate(w.Ctx, key)
	if err != nil && !fault.Is(err, fault.KindUnauthorized) {
		w.T.Fatalf("Authenticate: %v", err)
	}
	return p, err == nil
}

func TestSeedAdmin_FirstBootGeneratesOnce(t *testing.T) {
	t.Parallel()
	w := emptyWorld(t)
	res, err := w.Cmd.Users.SeedAdmin(w.Ctx, "root", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Username != "root" || !regexp.MustCompile(`^[a-zA-Z0-9]{20}$`).MatchString(res.GeneratedPassword) ||
		!regexp.MustCompile(`^wst_[a-z2-7]{40}$`).MatchString(res.GeneratedKey) {
		t.Fatalf("first boot %+v", res)
	}
	login, err := w.Cmd.Logins.Login(w.Ctx, "root", res.GeneratedPassword, "test")
	u := login.User
	if err != nil || !u.IsAdmin() || u.Registry != account.AdminRegistry || login.Key == "" {
		t.Fatalf("login with the generated password: %+v %v", u, err)
	}
	p, ok := authenticates(w, res.GeneratedKey)
	if !ok || p.User.Username != "root" || !p.User.IsAdmin() {
		t.Fatalf("generated key: %+v %v", p, ok)
	}

	again, err := w.Cmd.Users.SeedAdmin(w.Ctx, "root", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if again.GeneratedPassword != "" || again.GeneratedKey != "" {
		t.Fatalf("second boot generated %+v", again)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "root", res.GeneratedPassword, "test"); err != nil {
		t.Fatalf("second boot changed the password: %v", err)
	}
	keys, _ := w.Store.APIKeys().ListByUser(w.Ctx, u.ID)
	seeds := 0
	for _, k := range keys {
		if k.Name == "seed" {
			seeds++
		}
	}
	if len(keys) != 3 || seeds != 1 { // one seed key, two login sessions
		t.Fatalf("%d keys, %d seed keys", len(keys), seeds)
	}
	if _, err := w.Cmd.Users.SeedAdmin(w.Ctx, "root", "", ""); err != nil {
		t.Fatal(err)
	}
	if users, _ := w.Store.Users().List(w.Ctx); len(users) != 1 {
		t.Fatalf("%d users after three boots", len(users))
	}
}

func TestSeedAdmin_ConfiguredPasswordAndKey(t *testing.T) {
	t.Parallel()
	w := emptyWorld(t)
	const envKey = "operator-chosen-key-1234"
	res, err := w.Cmd.Users.SeedAdmin(w.Ctx, "", "first-password", envKey)
	if err != nil {
		t.Fatal(err)
	}
	if res.Username != "admin" || res.GeneratedPassword != "" || res.GeneratedKey != "" {
		t.Fatalf("seed %+v", res)
	}
	p, ok := authenticates(w, envKey)
	if !ok || p.User.Username != "admin" || !p.User.IsAdmin() {
		t.Fatalf("configured key: %+v %v", p, ok)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "admin", "first-password", "test"); err != nil {
		t.Fatalf("configured password: %v", err)
	}
	// Next boot with another password and the same key: password wins, key not duplicated.
	if _, err := w.Cmd.Users.SeedAdmin(w.Ctx, "", "second-password", envKey); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "admin", "first-password", "test"); !fault.Is(err, fault.KindUnauthorized) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "admin", "second-password", "test"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	keys, _ := w.Store.APIKeys().ListByUser(w.Ctx, p.User.ID)
	env := 0
	for _, k := range keys {
		if k.Hash == account.HashKey(envKey) {
			env++
		}
	}
	if env != 1 {
		t.Fatalf("configured key stored %d times", env)
	}
	users, _ := w.Store.Users().List(w.Ctx)
	if len(users) != 1 {
		t.Fatalf("%d users after two boots", len(users))
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	for _, c := range []struct{ user, pass string }{{"budi", "wrong-password"}, {"nobody", appworld.UserPassword}, {"budi", ""}} {
		if _, err := w.Cmd.Logins.Login(w.Ctx, c.user, c.pass, "test"); !fault.Is(err, fault.KindUnauthorized) {
			t.Fatalf("login %s/%s: %v", c.user, c.pass, err)
		}
	}
	r1, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := w.Cmd.Logins.Login(w.Ctx, "BuDi", appworld.UserPassword, "test") // usernames match ignoring case
	if err != nil {
		t.Fatal(err)
	}
	if r2.User.Username != "budi" || r1.Key == r2.Key || r1.Session.ID == r2.Session.ID {
		t.Fatalf("login %+v keys %s %s", r2.User, r1.Key, r2.Key)
	}
	for _, r := range []command.LoginResult{r1, r2} {
		if p, ok := authenticates(w, r.Key); !ok || p.User.ID != w.User.User.ID || p.KeyID != r.Session.ID {
			t.Fatalf("key %s does not authenticate budi: %+v", r.Key[:8], p)
		}
		k := r.Session
		if k.Kind != account.KindLogin || k.ExpiresAt == nil || k.ExpiresAt.Sub(k.CreatedAt) != command.DefaultConfig.LoginTTL {
			t.Fatalf("login session %+v, want kind login ending after %v", k, command.DefaultConfig.LoginTTL)
		}
	}
}

func TestLogin_KeepsAtMostTenLoginKeys(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	apiKey, _, err := w.Cmd.Users.IssueKey(w.Ctx, w.User, w.User.User.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for range 12 {
		r, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test")
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Key)
	}
	for i, k := range keys {
		_, ok := authenticates(w, k)
		if want := i >= 2; ok != want {
			t.Fatalf("login key %d authenticates = %v, want %v", i, ok, want)
		}
	}
	if _, ok := authenticates(w, apiKey); !ok {
		t.Fatal("an API-issued key was revoked by logins")
	}
	stored, _ := w.Store.APIKeys().ListByUser(w.Ctx, w.User.User.ID)
	active := 0
	for _, k := range stored {
		if k.Kind == account.KindLogin && k.Active(time.Now()) {
			active++
		}
	}
	// Each login beyond ten ends the oldest, and the next login deletes what ended:
	// the API key, ten live sessions and the one just ended stay stored.
	if len(stored) != 12 || active != 10 {
		t.Fatalf("%d keys stored, %d active login keys", len(stored), active)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test"); err != nil {
		t.Fatal(err)
	}
	if stored, _ = w.Store.APIKeys().ListByUser(w.Ctx, w.User.User.ID); len(stored) != 12 {
		t.Fatalf("%d keys stored after one more login, want 12", len(stored))
	}
}

// A login of an unknown user must cost what a wrong password of a known one costs,
// so the answer's timing does not tell which usernames exist: every login makes
// exactly one password check, against a hash of the same scheme and iterations.
func TestLogin_UnknownUsersCostAFullPasswordCheck(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	var checked []string
	command.RecordPasswordChecks(w.Cmd, &checked)
	params := func(h string) string { // scheme, iterations, salt and hash lengths
		p := strings.Split(h, "$")
		if len(p) != 4 {
			return "malformed " + h
		}
		return fmt.Sprint(p[0], p[1], len(p[2]), len(p[3]))
	}
	want := params(appworld.PasswordHash())
	for _, c := range []struct{ user, pass, against string }{
		{"budi", "wrong-password", appworld.PasswordHash()},
		{"nobody", "wrong-password", account.DummyPasswordHash()},
		{"nobody", appworld.UserPassword, account.DummyPasswordHash()},
		{"not a username!", "wrong-password", account.DummyPasswordHash()},
	} {
		checked = checked[:0]
		if _, err := w.Cmd.Logins.Login(w.Ctx, c.user, c.pass, "test"); !fault.Is(err, fault.KindUnauthorized) {
			t.Fatalf("login %q: %v, want unauthorized", c.user, err)
		}
		if len(checked) != 1 || checked[0] != c.against || params(checked[0]) != want {
			t.Fatalf("login %q checked %q, want one check against %q (parameters %s)", c.user, checked, c.against, want)
		}
	}
	checked = checked[:0]
	if _, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test"); err != nil || len(checked) != 1 {
		t.Fatalf("right password: %v, %d checks", err, len(checked))
	}
}

func TestLogout_EndsOnlyTheLoginSession(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	apiKey, _, err := w.Cmd.Users.IssueKey(w.Ctx, w.User, w.User.User.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := authenticates(w, first.Key)
	if err := w.Cmd.Logins.Logout(w.Ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, ok := authenticates(w, first.Key); ok {
		t.Fatal("the logged-out session still authenticates")
	}
	if _, ok := authenticates(w, second.Key); !ok {
		t.Fatal("logout ended another login session")
	}
	// A logout presenting a permanent key leaves it alone.
	p, _ = authenticates(w, apiKey)
	if err := w.Cmd.Logins.Logout(w.Ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, ok := authenticates(w, apiKey); !ok {
		t.Fatal("logout revoked a permanent key")
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	if _, err := w.Cmd.Users.CreateUser(w.Ctx, w.User, "citra", "password123", account.RoleUser); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("user creating a user: %v", err)
	}
	u, err := w.Cmd.Users.CreateUser(w.Ctx, w.Admin, "citra", "password123", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != account.RoleUser || !regexp.MustCompile(`^[A-Z]{10}$`).MatchString(u.Registry) || u.ID == "" {
		t.Fatalf("user %+v", u)
	}
	if got, err := w.Store.Users().GetByUsername(w.Ctx, "citra"); err != nil || got.ID != u.ID {
		t.Fatalf("stored %+v %v", got, err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "citra", "password123", "test"); err != nil {
		t.Fatalf("new user cannot log in: %v", err)
	}
	if _, err := w.Cmd.Users.CreateUser(w.Ctx, w.Admin, "citra", "password456", account.RoleUser); !fault.Is(err, fault.KindConflict) {
		t.Fatalf("duplicate: %v", err)
	}
	for _, bad := range []struct {
		name, pass string
		role       account.Role
	}{{"x", "password123", ""}, {"dewi", "short", ""}, {"dewi", "password123", "root"}} {
		if _, err := w.Cmd.Users.CreateUser(w.Ctx, w.Admin, bad.name, bad.pass, bad.role); !fault.Is(err, fault.KindInvalid) {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	admin2, err := w.Cmd.Users.CreateUser(w.Ctx, w.Admin, "boss", "password123", account.RoleAdmin)
	if err != nil || !admin2.IsAdmin() {
		t.Fatalf("second admin %+v %v", admin2, err)
	}
}

func TestIssueAndRevokeKey(t *testing.T) {
	t.Parallel()
	w := seededWorld(t)
	budi, sari := w.User.User.ID, w.Other.User.ID

	plain, k, err := w.Cmd.Users.IssueKey(w.Ctx, w.User, budi, "")
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "api" || k.UserID != budi || k.Hash != account.HashKey(plain) || k.Prefix != plain[:8] {
		t.Fatalf("key %+v", k)
	}
	if p, ok := authenticates(w, plain); !ok || p.KeyID != k.ID || p.User.ID != budi {
		t.Fatalf("issued key: %+v", p)
	}
	if _, _, err := w.Cmd.Users.IssueKey(w.Ctx, w.User, sari, "x"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("issue for another user: %v", err)
	}
	sariKey, sk, err := w.Cmd.Users.IssueKey(w.Ctx, w.Admin, sari, "by-admin")
	if err != nil {
		t.Fatalf("admin issue: %v", err)
	}
	if _, _, err := w.Cmd.Users.IssueKey(w.Ctx, w.Admin, "no-such-user", "x"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("issue for unknown user: %v", err)
	}

	if err := w.Cmd.Users.RevokeKey(w.Ctx, w.User, sari, sk.ID); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("revoke another's key: %v", err)
	}
	if err := w.Cmd.Users.RevokeKey(w.Ctx, w.User, budi, sk.ID); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("revoke another's key through own id: %v", err)
	}
	if _, ok := authenticates(w, sariKey); !ok {
		t.Fatal("refused revocations revoked the key")
	}
	if err := w.Cmd.Users.RevokeKey(w.Ctx, w.User, budi, "no-such-key"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if err := w.Cmd.Users.RevokeKey(w.Ctx, w.User, budi, k.ID); err != nil {
		t.Fatalf("revoke own: %v", err)
	}
	if _, ok := authenticates(w, plain); ok {
		t.Fatal("revoked key still authenticates")
	}
	if err := w.Cmd.Users.RevokeKey(w.Ctx, w.Admin, sari, sk.ID); err != nil {
		t.Fatalf("admin revoke: %v", err)
	}
	if _, ok := authenticates(w, sariKey); ok {
		t.Fatal("admin-revoked key still authenticates")
	}
}

func TestLogin_TooManyAttemptsFromOneClientWaitForTheWindow(t *testing.T) {
	t.Parallel()
	// A clock that stands still: on the wall clock the attempts could straddle the
	// end of a window, and the 21st would start a new one.
	w := appworld.New(t, appworld.Options{Clock: appworld.FixedClock{T: time.Now()}})
	for i := range 20 {
		if _, err := w.Cmd.Logins.Login(w.Ctx, "budi", "wrong-password", "10.0.0.1"); !fault.Is(err, fault.KindUnauthorized) {
			t.Fatalf("attempt %d: %v, want unauthorized", i+1, err)
		}
	}
	// The right password no longer helps this client...
	_, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "10.0.0.1")
	var ex *throttle.Exceeded
	if !fault.Is(err, fault.KindRateLimited) || !errors.As(err, &ex) || ex.RetryAfter <= 0 {
		t.Fatalf("21st attempt: %v, want rate limited with a retry time", err)
	}
	// ...but another client, or the same username in other case from it, is counted apart.
	if _, err := w.Cmd.Logins.Login(w.Ctx, "budi", appworld.UserPassword, "10.0.0.2"); err != nil {
		t.Fatalf("another client: %v", err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "BUDI", appworld.UserPassword, "10.0.0.1"); !fault.Is(err, fault.KindRateLimited) {
		t.Fatalf("the username is counted case-insensitively: %v", err)
	}
}
