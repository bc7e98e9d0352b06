-- +goose Up
-- A session's webhook targets. Secrets are sealed by ports.SecretSealer;
-- previous_secret is '' and previous_until NULL outside a rotation.
CREATE TABLE webhook_subscriptions (
    id              TEXT PRIMARY KEY,
    session_id      TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    url             TEXT    NOT NULL,
    secret          TEXT    NOT NULL,
    previous_secret TEXT    NOT NULL DEFAULT '',
    previous_until  INTEGER,
    events          TEXT    NOT NULL DEFAULT '[]', -- JSON array of event types; empty: all
    mode            TEXT    NOT NULL,
    algorithm       INTEGER NOT NULL DEFAULT 0,
    enabled         BOOLEAN NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_session_idx ON webhook_subscriptions (session_id, created_at);

-- SQLite cannot drop 00001's UNIQUE (event_id, url), so the table is rebuilt. Its
-- rowid is the creation order that ClaimDue serialises each receiver's line by;
-- copying in rowid order keeps it.
CREATE TABLE webhook_deliveries_new (
    id              TEXT PRIMARY KEY,
    event_id        TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    subscription_id TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    retry_from      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    locked_until    INTEGER, -- claimed by a worker until then
    UNIQUE (event_id, subscription_id, url)
);
INSERT INTO webhook_deliveries_new (id, event_id, session_id, url, status, attempts, next_attempt_at,
                                    last_error, last_status, created_at, retry_from, updated_at)
SELECT id, event_id, session_id, url, status, attempts, next_attempt_at,
       last_error, last_status, created_at, created_at, updated_at
FROM webhook_deliveries ORDER BY rowid;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_line_idx ON webhook_deliveries (session_id, subscription_id, status);

-- +goose Down
-- Deliveries of one event to one URL through several subscriptions collapse to one.
CREATE TABLE webhook_deliveries_old (
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
INSERT OR IGNORE INTO webhook_deliveries_old (id, event_id, session_id, url, status, attempts, next_attempt_at,
                                              last_error, last_status, created_at, updated_at)
SELECT id, event_id, session_id, url, status, attempts, next_attempt_at,
       last_error, last_status, created_at, updated_at
FROM webhook_deliveries ORDER BY rowid;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_old RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
DROP TABLE webhook_subscriptions;
