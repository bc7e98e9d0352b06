-- +goose Up
-- Event payloads become bytes: PostgreSQL text can hold neither NUL nor invalid
-- UTF-8, and the index of 00004 cast every message_received payload to jsonb,
-- which refuses \u0000, so a message carrying a NUL could not be stored at all.
-- Message actions now find a received message by message_id, copied out of the
-- payload here and written by the application from then on.
ALTER TABLE events ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
-- Every message_received row passed the jsonb cast of 00004's index.
UPDATE events SET message_id = COALESCE((payload::jsonb) #>> '{message,key,id}', '')
WHERE type = 'message_received';
DROP INDEX events_received_message_idx;
CREATE INDEX events_received_message_idx ON events (session_id, message_id) WHERE type = 'message_received';
ALTER TABLE events ALTER COLUMN payload TYPE BYTEA USING convert_to(payload, 'UTF8');

-- Dead letters: transport observations that could not be recorded, with the reason.
CREATE TABLE parked_events (
    id         TEXT PRIMARY KEY,
    session_id TEXT        NOT NULL,
    kind       TEXT        NOT NULL,
    payload    BYTEA       NOT NULL,
    reason     TEXT        NOT NULL,
    parked_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX parked_events_parked_at_idx ON parked_events (parked_at, id);

-- +goose Down
-- Fails while an event holds what 00004 could not (a NUL, invalid UTF-8).
DROP TABLE parked_events;
ALTER TABLE events ALTER COLUMN payload TYPE TEXT USING convert_from(payload, 'UTF8');
DROP INDEX events_received_message_idx;
CREATE INDEX events_received_message_idx ON events (session_id, ((payload::jsonb) #>> '{message,key,id}'))
    WHERE type = 'message_received';
ALTER TABLE events DROP COLUMN message_id;
