-- +goose Up
-- Several gateways may share this database. Each process is a node that heartbeats
-- its row; each session is run by the one node holding its lease. token is the
-- fencing token: it grows on every takeover, and a write made under an older token
-- is refused (ports.WithFence). A lease is live while expires_at is in the future;
-- releasing one sets expires_at to now, so the row (and its token) stays.
CREATE TABLE nodes (
    id         TEXT PRIMARY KEY,
    addr       TEXT        NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,
    draining   BOOLEAN     NOT NULL DEFAULT false
);

CREATE TABLE session_leases (
    session_id  TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    node_id     TEXT        NOT NULL,
    token       BIGINT      NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_leases_node_idx ON session_leases (node_id, expires_at);

-- +goose Down
DROP TABLE session_leases;
DROP TABLE nodes;
