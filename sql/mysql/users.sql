-- name: CreateUser :execrows
INSERT INTO users (id, username, password_hash, role, registry, max_sessions, max_streams, created_at)
VALUES (sqlc.arg(id), sqlc.arg(username), sqlc.arg(password_hash), sqlc.arg(role), sqlc.arg(registry),
        sqlc.narg(max_sessions), sqlc.narg(max_streams), sqlc.arg(created_at));

-- name: GetUser :one
SELECT * FROM users WHERE id = sqlc.arg(id);

-- name: GetUserForUpdate :one
-- Holds the row until the transaction ends: quota checks of one user take turns.
SELECT * FROM users WHERE id = sqlc.arg(id) FOR UPDATE;

-- Usernames are unique ignoring case (users_username_lower_idx serves this).
-- name: GetUserByUsername :one
SELECT * FROM users WHERE username_lower = LOWER(sqlc.arg(username));

-- name: GetUserByRegistry :one
SELECT * FROM users WHERE registry = sqlc.arg(registry);

-- name: UpdateUser :execrows
UPDATE users SET password_hash = sqlc.arg(password_hash), role = sqlc.arg(role),
    max_sessions = sqlc.narg(max_sessions), max_streams = sqlc.narg(max_streams)
WHERE id = sqlc.arg(id);

-- name: ListUsers :many
SELECT * FROM users ORDER BY username;
