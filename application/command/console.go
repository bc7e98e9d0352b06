package command

import (
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/ports"
)

// Console is what the operator does from the command line (warest users, warest
// keys), for instance to make the first admin in a script. Whoever runs the gateway
// owns its database, so the console acts as an admin. Secrets it generates are
// returned to be shown once; only their hashes are stored.
type Console struct {
	users *Users
	admin account.Principal
}

// NewConsole builds the console's use cases over the store alone.
func NewConsole(store ports.Store, clock ports.Clock, ids ports.IDs) *Console {
	return &Console{users: &Users{store: store, clock: clock, ids: ids},
		admin: account.Principal{User: account.User{Username: "console", Role: account.RoleAdmin}}}
}

// CreateUser adds an account; without a password it generates one and returns it.
func (c *Console) CreateUser(ctx context.Context, username, password string, role account.Role) (account.User, string, error) {
	generated := ""
	if password == "" {
		password = randomSecret(20)
		generated = password
	}
	u, err := c.users.CreateUser(ctx, c.admin, username, password, role)
	if err != nil {
		return account.User{}, "", err
	}
	return u, generated, nil
}

// ResetPassword sets a user's password; without one it generates one and returns it.
// The user's API keys stay valid.
func (c *Console) ResetPassword(ctx context.Context, username, password string) (string, error) {
	generated := ""
	if password == "" {
		password = randomSecret(20)
		generated = password
	}
	err := c.users.store.InTx(ctx, func(r ports.Repositories) error {
		u, err := r.Users().GetByUsername(ctx, username)
		if err != nil {
			return err
		}
		if err := u.SetPassword(password); err != nil {
			return err
		}
		return r.Users().Update(ctx, u)
	})
	if err != nil {
		return "", err
	}
	return generated, nil
}

// CreateKey issues an API key for the user named username and returns it.
func (c *Console) CreateKey(ctx context.Context, username, name string) (string, account.APIKey, error) {
	u, err := c.users.store.Users().GetByUsername(ctx, username)
	if err != nil {
		return "", account.APIKey{}, err
	}
	return c.users.IssueKey(ctx, c.admin, u.ID, name)
}
