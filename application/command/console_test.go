package command_test

import (
	"testing"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/test/appworld"
)

// The console acts as an admin over the store: it creates accounts, resets
// passwords and issues keys by username, returning generated secrets once.
func TestConsole(t *testing.T) {
	t.Parallel()
	w := emptyWorld(t)
	c := command.NewConsole(w.Store, appworld.RealClock{}, appworld.ULIDs{})
	u, generated, err := c.CreateUser(w.Ctx, "ops", "", account.RoleAdmin)
	if err != nil || !u.IsAdmin() || len(generated) < 16 {
		t.Fatalf("create: %+v %q %v", u, generated, err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "ops", generated, "127.0.0.1"); err != nil {
		t.Fatalf("login with the generated password: %v", err)
	}
	if _, _, err := c.CreateUser(w.Ctx, "OPS", "password-2", ""); !fault.Is(err, fault.KindConflict) {
		t.Fatalf("a second ops: %v", err)
	}
	if _, err := c.ResetPassword(w.Ctx, "ops", "short"); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("a short password: %v", err)
	}
	if generated, err := c.ResetPassword(w.Ctx, "ops", "new-password-1"); err != nil || generated != "" {
		t.Fatalf("reset: %q %v", generated, err)
	}
	if _, err := w.Cmd.Logins.Login(w.Ctx, "ops", "new-password-1", "127.0.0.1"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	key, k, err := c.CreateKey(w.Ctx, "ops", "ci")
	if err != nil || k.Name != "ci" || k.UserID != u.ID {
		t.Fatalf("key: %+v %v", k, err)
	}
	if p, ok := authenticates(w, key); !ok || p.User.ID != u.ID {
		t.Fatal("the issued key does not authenticate as ops")
	}
	if _, _, err := c.CreateKey(w.Ctx, "nobody", ""); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("a key for nobody: %v", err)
	}
	if _, err := c.ResetPassword(w.Ctx, "nobody", ""); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("a reset for nobody: %v", err)
	}
}
