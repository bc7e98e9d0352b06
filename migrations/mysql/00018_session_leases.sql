-- +goose Up
-- Session ownership (see the PostgreSQL migration): on MySQL one node serves the
-- database, and it holds every lease; the same code runs on every store.
CREATE TABLE nodes (
    id         VARCHAR(191) NOT NULL,
    addr       TEXT         NOT NULL,
    started_at DATETIME(6)  NOT NULL,
    seen_at    DATETIME(6)  NOT NULL,
    draining   TINYINT(1)   NOT NULL DEFAULT 0,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE session_leases (
    session_id  VARCHAR(191) NOT NULL,
    node_id     VARCHAR(191) NOT NULL,
    token       BIGINT       NOT NULL,
    acquired_at DATETIME(6)  NOT NULL,
    expires_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (session_id),
    KEY session_leases_node_idx (node_id, expires_at),
    CONSTRAINT session_leases_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE session_leases;
DROP TABLE nodes;
