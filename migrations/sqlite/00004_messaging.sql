-- +goose Up
-- Fixed-window counters of rate limits and quotas, one row per key; times are unix ms.
CREATE TABLE limiter_counters (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

-- Last successful send per session and normalised recipient (the cooldown).
CREATE TABLE recipient_cooldowns (
    session_id   TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    last_sent_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, recipient)
);

-- Idempotency-Key of a send and the messages its first request queued.
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    session_id  TEXT    NOT NULL,
    message_ids TEXT    NOT NULL, -- JSON array
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Message actions find a received message by its WhatsApp id.
CREATE INDEX events_received_message_idx ON events (session_id, json_extract(payload, '$.message.key.id'))
    WHERE type = 'message_received';

-- +goose Down
DROP INDEX events_received_message_idx;
DROP TABLE idempotency_keys;
DROP TABLE recipient_cooldowns;
DROP TABLE limiter_counters;
