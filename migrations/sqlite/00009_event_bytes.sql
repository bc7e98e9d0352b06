-- +goose Up
-- Message actions find a received message by message_id, copied out of the payload
-- here and written by the application from then on, instead of an index on a JSON
-- path of the payload (which made every insert parse it). Payloads stay TEXT: SQLite
-- keeps their bytes as given, NUL and invalid UTF-8 included.
ALTER TABLE events ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE events SET message_id = COALESCE(json_extract(payload, '$.message.key.id'), '')
WHERE type = 'message_received';
DROP INDEX events_received_message_idx;
CREATE INDEX events_received_message_idx ON events (session_id, message_id) WHERE type = 'message_received';

-- Dead letters: transport observations that could not be recorded, with the reason.
CREATE TABLE parked_events (
    id         TEXT PRIMARY KEY,
    session_id TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    reason     TEXT    NOT NULL,
    parked_at  INTEGER NOT NULL
);
CREATE INDEX parked_events_parked_at_idx ON parked_events (parked_at, id);

-- +goose Down
DROP TABLE parked_events;
DROP INDEX events_received_message_idx;
CREATE INDEX events_received_message_idx ON events (session_id, json_extract(payload, '$.message.key.id'))
    WHERE type = 'message_received';
ALTER TABLE events DROP COLUMN message_id;
