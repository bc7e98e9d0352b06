-- +goose Up
-- Session ownership (see the PostgreSQL migration): on SQLite one node serves the
-- database, and it holds every lease; the same code runs on every store. Times are
-- unix ms.
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    addr       TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    draining   BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE session_leases (
    session_id  TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    node_id     TEXT    NOT NULL,
    token       INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX session_leases_node_idx ON session_leases (node_id, expires_at);

-- +goose Down
DROP TABLE session_leases;
DROP TABLE nodes;
