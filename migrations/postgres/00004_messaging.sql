-- +goose Up
-- Fixed-window counters of rate limits and quotas, one row per key.
CREATE TABLE limiter_counters (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    count        BIGINT      NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);

-- Last successful send per session and normalised recipient (the cooldown).
CREATE TABLE recipient_cooldowns (
    session_id   TEXT        NOT NULL,
    recipient    TEXT        NOT NULL,
    last_sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, recipient)
);

-- Idempotency-Key of a send and the messages its first request queued.
CREATE TABLE idempotency_keys (
    scope       TEXT        NOT NULL,
    key         TEXT        NOT NULL,
    hash        TEXT        NOT NULL,
    session_id  TEXT        NOT NULL,
    message_ids TEXT        NOT NULL, -- JSON array
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Message actions find a received message by its WhatsApp id.
CREATE INDEX events_received_message_idx ON events (session_id, ((payload::jsonb) #>> '{message,key,id}'))
    WHERE type = 'message_received';

-- +goose Down
DROP INDEX events_received_message_idx;
DROP TABLE idempotency_keys;
DROP TABLE recipient_cooldowns;
DROP TABLE limiter_counters;
