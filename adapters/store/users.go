package store

import (
	"context"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Users() ports.UserRepository { return users{r} }

type users struct{ r *Repos }

func (u users) Create(ctx context.Context, user account.User) error {
	n, err := u.r.Q.CreateUser(ctx, UserRow{
		ID: user.ID, Username: user.Username, PasswordHash: user.PasswordHash, Role: string(user.Role),
		Registry: user.Registry, MaxSessions: user.Limits.MaxSessions, MaxStreams: user.Limits.MaxStreams,
		CreatedAt: user.CreatedAt,
	})
	if err != nil {
		return u.r.D.Wrap(err, "create user")
	}
	if n == 0 {
		return fault.Conflict("", "user %s, username %s or registry %s already exists", user.ID, user.Username, user.Registry)
	}
	return nil
}

func (u users) Get(ctx context.Context, id string) (account.User, error) {
	return u.one(u.r.Q.GetUser(ctx, id))("user " + id)
}

func (u users) GetForUpdate(ctx context.Context, id string) (account.User, error) {
	return u.one(u.r.Q.GetUserForUpdate(ctx, id))("user " + id)
}

func (u users) GetByUsername(ctx context.Context, username string) (account.User, error) {
	return u.one(u.r.Q.GetUserByUsername(ctx, username))("user " + username)
}

func (u users) GetByRegistry(ctx context.Context, registry string) (account.User, error) {
	return u.one(u.r.Q.GetUserByRegistry(ctx, registry))("user of registry " + registry)
}

func (u users) one(row UserRow, err error) func(what string) (account.User, error) {
	return func(what string) (account.User, error) {
		if err != nil {
			return account.User{}, u.r.D.NotFound(err, fault.ReasonUserNotFound, what)
		}
		return userToDomain(row), nil
	}
}

func (u users) Update(ctx context.Context, user account.User) error {
	n, err := u.r.Q.UpdateUser(ctx, UserRow{ID: user.ID, PasswordHash: user.PasswordHash, Role: string(user.Role),
		MaxSessions: user.Limits.MaxSessions, MaxStreams: user.Limits.MaxStreams})
	if err != nil {
		return u.r.D.Wrap(err, "update user")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", user.ID)
	}
	return nil
}

func (u users) List(ctx context.Context) ([]account.User, error) {
	rows, err := u.r.Q.ListUsers(ctx)
	if err != nil {
		return nil, u.r.D.Wrap(err, "list users")
	}
	out := make([]account.User, 0, len(rows))
	for _, row := range rows {
		out = append(out, userToDomain(row))
	}
	return out, nil
}

func userToDomain(row UserRow) account.User {
	return account.User{ID: row.ID, Username: row.Username, PasswordHash: row.PasswordHash,
		Role: account.Role(row.Role), Registry: row.Registry, CreatedAt: row.CreatedAt,
		Limits: account.Limits{MaxSessions: row.MaxSessions, MaxStreams: row.MaxStreams}}
}
