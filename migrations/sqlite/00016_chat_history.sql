-- +goose Up
-- Chat history: a received message remembers when this account read it (the
-- unread count of a chat), the pinned chats are kept, and the chat pages read a
-- chat's history newest first by (sent_at, received_at, id), the keyset of the
-- cursor. Search matches search_text, the text lower-cased by Go
-- (message.SearchText), so every store folds case alike (SQLite's lower() knows
-- ASCII only); rows before this version get SQL's lower().
-- Times are unix ms.
-- A session may keep its history for its own number of days (0: the server's).
ALTER TABLE sessions ADD COLUMN history_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound_messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE inbound_messages SET search_text = lower(text);
ALTER TABLE inbound_messages ADD COLUMN read_at INTEGER;
-- Receipts of the peers (our messages, also those sent from the phone) and stars.
ALTER TABLE inbound_messages ADD COLUMN delivered_at INTEGER;
ALTER TABLE inbound_messages ADD COLUMN seen_at INTEGER;
ALTER TABLE inbound_messages ADD COLUMN starred_at INTEGER;
DROP INDEX inbound_messages_chat_idx;
CREATE INDEX inbound_messages_chat_idx ON inbound_messages (session_id, chat, sent_at, received_at, id);
CREATE INDEX inbound_messages_age_idx ON inbound_messages (session_id, sent_at);

CREATE TABLE chat_pins (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    chat       TEXT    NOT NULL,
    pinned_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, chat)
);

-- +goose Down
DROP TABLE chat_pins;
DROP INDEX inbound_messages_age_idx;
DROP INDEX inbound_messages_chat_idx;
CREATE INDEX inbound_messages_chat_idx ON inbound_messages (session_id, chat, sent_at);
ALTER TABLE inbound_messages DROP COLUMN starred_at;
ALTER TABLE inbound_messages DROP COLUMN seen_at;
ALTER TABLE inbound_messages DROP COLUMN delivered_at;
ALTER TABLE inbound_messages DROP COLUMN read_at;
ALTER TABLE inbound_messages DROP COLUMN search_text;
ALTER TABLE sessions DROP COLUMN history_days;
