-- +goose Up
-- expires_at (unix ms, NULL: never) is when a message still queued fails as
-- expired: one that waits for its session to come back does not wait forever. The
-- send queue looks for expired messages of a session by this partial index.
-- fail_code is the machine-readable reason of a failure (a fault reason such as
-- not_on_whatsapp), next to fail_reason's words. Messages queued before this
-- migration keep no expiry: none was promised when they were accepted.
ALTER TABLE messages ADD COLUMN expires_at INTEGER;
ALTER TABLE messages ADD COLUMN fail_code TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_expiry_idx ON messages (session_id, expires_at) WHERE status = 'queued' AND expires_at IS NOT NULL;

-- +goose Down
DROP INDEX messages_expiry_idx;
ALTER TABLE messages DROP COLUMN fail_code;
ALTER TABLE messages DROP COLUMN expires_at;
