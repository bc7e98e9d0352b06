-- +goose Up
-- A session's history belongs to that session, not to its reusable name: deleting
-- the session deletes its events, their deliveries, its idempotency keys, cooldowns
-- and device link in the same transaction (messages and subscriptions already go).
-- Foreign keys enforce it, so no race leaves a row a later session of the same name
-- could see. Rows of sessions deleted before this migration go first.
DELETE FROM events WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM webhook_deliveries WHERE event_id NOT IN (SELECT id FROM events);
DELETE FROM idempotency_keys WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM recipient_cooldowns WHERE session_id NOT IN (SELECT id FROM sessions);
DELETE FROM wa_session_devices WHERE session_id NOT IN (SELECT id FROM sessions);

-- SQLite cannot add a constraint, so each table is rebuilt. Nothing references
-- these tables while they are dropped (webhook_deliveries gains its reference to
-- events only after events is rebuilt), so foreign_keys may stay on. Rows keep
-- their seq and rowid: ListUnpublished and ClaimDue order by them, and the
-- AUTOINCREMENT counter of events is carried over so no seq is handed out twice.
CREATE TABLE events_new (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    session_id   TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    occurred_at  INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    published_at INTEGER,
    position     INTEGER
);
INSERT INTO events_new (seq, id, type, session_id, occurred_at, payload, published_at, position)
SELECT seq, id, type, session_id, occurred_at, payload, published_at, position FROM events;
DELETE FROM sqlite_sequence WHERE name = 'events_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_new', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_unpublished_idx ON events (seq) WHERE published_at IS NULL;
CREATE INDEX events_received_message_idx ON events (session_id, json_extract(payload, '$.message.key.id'))
    WHERE type = 'message_received';
CREATE UNIQUE INDEX events_position_idx ON events (position);
CREATE INDEX events_session_idx ON events (session_id); -- the cascade's lookup

CREATE TABLE webhook_deliveries_new (
    id              TEXT PRIMARY KEY,
    event_id        TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
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
INSERT INTO webhook_deliveries_new (rowid, id, event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                    last_error, last_status, created_at, retry_from, updated_at, locked_until)
SELECT rowid, id, event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
       last_error, last_status, created_at, retry_from, updated_at, locked_until
FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (session_id, subscription_id, url)
    WHERE status = 'pending';

CREATE TABLE recipient_cooldowns_new (
    session_id   TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    recipient    TEXT    NOT NULL,
    last_sent_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, recipient)
);
INSERT INTO recipient_cooldowns_new SELECT session_id, recipient, last_sent_at FROM recipient_cooldowns;
DROP TABLE recipient_cooldowns;
ALTER TABLE recipient_cooldowns_new RENAME TO recipient_cooldowns;

CREATE TABLE idempotency_keys_new (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    message_ids TEXT    NOT NULL, -- JSON array
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
INSERT INTO idempotency_keys_new SELECT scope, key, hash, session_id, message_ids, created_at, expires_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_session_idx ON idempotency_keys (session_id);

-- whatsmeow's own device row is purged by the logout that precedes a deletion;
-- the cascade makes sure a later session of the same name never finds the link.
CREATE TABLE wa_session_devices_new (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    jid        TEXT NOT NULL
);
INSERT INTO wa_session_devices_new SELECT session_id, jid FROM wa_session_devices;
DROP TABLE wa_session_devices;
ALTER TABLE wa_session_devices_new RENAME TO wa_session_devices;

-- +goose Down
-- The same rebuilds without the references; children first, so no table is
-- referenced while it is dropped.
CREATE TABLE wa_session_devices_old (
    session_id TEXT PRIMARY KEY,
    jid        TEXT NOT NULL
);
INSERT INTO wa_session_devices_old SELECT session_id, jid FROM wa_session_devices;
DROP TABLE wa_session_devices;
ALTER TABLE wa_session_devices_old RENAME TO wa_session_devices;

CREATE TABLE idempotency_keys_old (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    session_id  TEXT    NOT NULL,
    message_ids TEXT    NOT NULL, -- JSON array
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
INSERT INTO idempotency_keys_old SELECT scope, key, hash, session_id, message_ids, created_at, expires_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_old RENAME TO idempotency_keys;

CREATE TABLE recipient_cooldowns_old (
    session_id   TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    last_sent_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, recipient)
);
INSERT INTO recipient_cooldowns_old SELECT session_id, recipient, last_sent_at FROM recipient_cooldowns;
DROP TABLE recipient_cooldowns;
ALTER TABLE recipient_cooldowns_old RENAME TO recipient_cooldowns;

CREATE TABLE webhook_deliveries_old (
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
INSERT INTO webhook_deliveries_old (rowid, id, event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
                                    last_error, last_status, created_at, retry_from, updated_at, locked_until)
SELECT rowid, id, event_id, session_id, subscription_id, url, status, attempts, next_attempt_at,
       last_error, last_status, created_at, retry_from, updated_at, locked_until
FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_old RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (session_id, subscription_id, url)
    WHERE status = 'pending';

CREATE TABLE events_old (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    session_id   TEXT    NOT NULL,
    occurred_at  INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    published_at INTEGER,
    position     INTEGER
);
INSERT INTO events_old (seq, id, type, session_id, occurred_at, payload, published_at, position)
SELECT seq, id, type, session_id, occurred_at, payload, published_at, position FROM events;
DELETE FROM sqlite_sequence WHERE name = 'events_old';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_old', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_unpublished_idx ON events (seq) WHERE published_at IS NULL;
CREATE INDEX events_received_message_idx ON events (session_id, json_extract(payload, '$.message.key.id'))
    WHERE type = 'message_received';
CREATE UNIQUE INDEX events_position_idx ON events (position);
