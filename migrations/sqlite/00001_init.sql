-- +goose Up
-- Times are INTEGER unix milliseconds, UTC.
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    owner          TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    me_jid         TEXT,
    me_lid         TEXT    NOT NULL DEFAULT '',
    me_name        TEXT    NOT NULL DEFAULT '',
    last_error     TEXT    NOT NULL DEFAULT '',
    last_conn_at   INTEGER,
    webhook_url    TEXT    NOT NULL DEFAULT '',
    webhook_secret TEXT    NOT NULL DEFAULT '', -- sealed by ports.SecretSealer
    auto_start     BOOLEAN NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX sessions_owner_idx ON sessions (owner, id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    registry      TEXT    NOT NULL UNIQUE,
    created_at    INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);

-- Deleting a session deletes its queued messages with it.
CREATE TABLE messages (
    session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    to_jid      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    content     TEXT    NOT NULL, -- message.Content as JSON
    status      TEXT    NOT NULL,
    fail_reason TEXT    NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, id)
);
CREATE INDEX messages_queue_idx ON messages (session_id, status);
CREATE INDEX messages_queued_sessions_idx ON messages (session_id) WHERE status = 'queued';

-- Events are the outbox and the replay log; payload is TEXT so its bytes (and field
-- order) come back exactly as written.
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    session_id   TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    published_at INTEGER
);
CREATE INDEX events_unpublished_idx ON events (seq) WHERE published_at IS NULL;

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (event_id, url)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE events;
DROP TABLE messages;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE sessions;
