-- +goose Up
-- An admin's per-user overrides of WAREST_MAX_SESSIONS_PER_USER and
-- WAREST_MAX_STREAMS_PER_USER; NULL takes the server's default, 0 is unlimited.
ALTER TABLE users ADD COLUMN max_sessions INTEGER, ADD COLUMN max_streams INTEGER;

-- +goose Down
ALTER TABLE users DROP COLUMN max_streams, DROP COLUMN max_sessions;
