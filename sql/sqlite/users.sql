-- name: CreateUser :execrows
INSERT INTO users (id, username, password_hash, role, registry, created_at)
VALUES (sqlc.arg(id), sqlc.arg(username), sqlc.arg(password_hash), sqlc.arg(role), sqlc.arg(registry), sqlc.arg(created_at))
ON CONFLICT DO NOTHING;

-- name: GetUser :one
SELECT * FROM users WHERE id = sqlc.arg(id);

-- Usernames are unique ignoring case (users_username_lower_idx serves this).
-- name: GetUserByUsername :one
SELECT * FROM users WHERE lower(username) = lower(sqlc.arg(username));

-- name: GetUserByRegistry :one
SELECT * FROM users WHERE registry = sqlc.arg(registry);

-- name: UpdateUser :execrows
UPDATE users SET password_hash = sqlc.arg(password_hash), role = sqlc.arg(role) WHERE id = sqlc.arg(id);

-- name: ListUsers :many
SELECT * FROM users ORDER BY username;
