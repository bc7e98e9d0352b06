package sqlite

import (
	"context"
	"database/sql"

	"github.com/warest-go/warest/adapters/sqlite/internal/db"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
)

type users struct{ r *repos }

func (u users) Create(ctx context.Context, user account.User) error {
	n, err := u.r.q.CreateUser(ctx, db.CreateUserParams{
		ID: user.ID, Username: user.Username, PasswordHash: user.PasswordHash, Role: string(user.Role),
		Registry: user.Registry, MaxSessions: toNullInt(user.Limits.MaxSessions), MaxStreams: toNullInt(user.Limits.MaxStreams),
		CreatedAt: toMillis(user.CreatedAt),
	})
	if err != nil {
		return wrap(err, "create user")
	}
	if n == 0 {
		return fault.Conflict("", "user %s, username %s or registry %s already exists", user.ID, user.Username, user.Registry)
	}
	return nil
}

func (u users) Get(ctx context.Context, id string) (account.User, error) {
	row, err := u.r.q.GetUser(ctx, id)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user "+id)
	}
	return userToDomain(row), nil
}

func (u users) GetForUpdate(ctx context.Context, id string) (account.User, error) {
	row, err := u.r.q.GetUserForUpdate(ctx, id)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user "+id)
	}
	return userToDomain(row), nil
}

func (u users) GetByUsername(ctx context.Context, username string) (account.User, error) {
	row, err := u.r.q.GetUserByUsername(ctx, username)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user "+username)
	}
	return userToDomain(row), nil
}

func (u users) GetByRegistry(ctx context.Context, registry string) (account.User, error) {
	row, err := u.r.q.GetUserByRegistry(ctx, registry)
	if err != nil {
		return account.User{}, notFound(err, fault.ReasonUserNotFound, "user of registry "+registry)
	}
	return userToDomain(row), nil
}

func (u users) Update(ctx context.Context, user account.User) error {
	n, err := u.r.q.UpdateUser(ctx, db.UpdateUserParams{ID: user.ID, PasswordHash: user.PasswordHash, Role: string(user.Role),
		MaxSessions: toNullInt(user.Limits.MaxSessions), MaxStreams: toNullInt(user.Limits.MaxStreams)})
	if err != nil {
		return wrap(err, "update user")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", user.ID)
	}
	return nil
}

func (u users) List(ctx context.Context) ([]account.User, error) {
	rows, err := u.r.q.ListUsers(ctx)
	if err != nil {
		return nil, wrap(err, "list users")
	}
	out := make([]account.User, 0, len(rows))
	for _, row := range rows {
		out = append(out, userToDomain(row))
	}
	return out, nil
}

func userToDomain(row db.User) account.User {
	return account.User{ID: row.ID, Username: row.Username, PasswordHash: row.PasswordHash,
		Role: account.Role(row.Role), Registry: row.Registry, CreatedAt: fromMillis(row.CreatedAt),
		Limits: account.Limits{MaxSessions: fromNullInt(row.MaxSessions), MaxStreams: fromNullInt(row.MaxStreams)}}
}

func toNullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func fromNullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
