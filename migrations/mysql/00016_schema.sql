-- The MySQL/MariaDB schema as the other dialects have it after their migration 00016.
-- No MySQL database predates that version, so it is created in one step and numbered
-- 00016: the next migration of every dialect is 00017.
--
-- Encodings: times are DATETIME(6) in UTC (the driver is set to loc=UTC), payloads
-- LONGBLOB, booleans TINYINT(1). Text compares byte for byte (utf8mb4_bin), as in the
-- other dialects; session ids and usernames are unique ignoring case through stored
-- lower-case copies (MariaDB has no expression indexes). Webhook URLs have no length
-- bound, so lines and the delivery key index a SHA-256 of the URL instead of the URL.
-- What a peer sends unbounded (texts, names, MIME types, emoji) is TEXT; VARCHAR holds
-- ids, JIDs and our own words.

-- +goose Up
CREATE TABLE sessions (
    id                  VARCHAR(191) NOT NULL,
    id_lower            VARCHAR(191) AS (LOWER(id)) STORED,
    owner               VARCHAR(191) NOT NULL,
    status              VARCHAR(32)  NOT NULL,
    me_jid              VARCHAR(191) NULL,
    me_lid              VARCHAR(191) NOT NULL,
    me_name             TEXT         NOT NULL,
    last_error          TEXT         NOT NULL,
    last_conn_at        DATETIME(6)  NULL,
    webhook_url         TEXT         NOT NULL,
    webhook_secret      TEXT         NOT NULL,
    auto_start          TINYINT(1)   NOT NULL,
    reject_calls        TINYINT(1)   NOT NULL,
    reject_call_message TEXT         NOT NULL,
    history_days        INT          NOT NULL,
    created_at          DATETIME(6)  NOT NULL,
    updated_at          DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY sessions_id_lower_idx (id_lower),
    KEY sessions_owner_idx (owner, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE users (
    id             VARCHAR(191) NOT NULL,
    username       VARCHAR(191) NOT NULL,
    username_lower VARCHAR(191) AS (LOWER(username)) STORED,
    password_hash  TEXT         NOT NULL,
    role           VARCHAR(32)  NOT NULL,
    registry       VARCHAR(191) NOT NULL,
    max_sessions   BIGINT       NULL,
    max_streams    BIGINT       NULL,
    created_at     DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY users_username_key (username),
    UNIQUE KEY users_username_lower_idx (username_lower),
    UNIQUE KEY users_registry_key (registry)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE api_keys (
    id           VARCHAR(191) NOT NULL,
    user_id      VARCHAR(191) NOT NULL,
    kind         VARCHAR(32)  NOT NULL,
    name         TEXT         NOT NULL,
    prefix       VARCHAR(191) NOT NULL,
    hash         VARCHAR(191) NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    expires_at   DATETIME(6)  NULL,
    revoked_at   DATETIME(6)  NULL,
    last_used_at DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY api_keys_hash_key (hash),
    KEY api_keys_user_idx (user_id, created_at),
    CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE messages (
    seq          BIGINT       NOT NULL AUTO_INCREMENT,
    session_id   VARCHAR(191) NOT NULL,
    id           VARCHAR(191) NOT NULL,
    to_jid       VARCHAR(191) NOT NULL,
    kind         VARCHAR(32)  NOT NULL,
    content      LONGTEXT     NOT NULL,
    blob_key     VARCHAR(512) NOT NULL,
    blob_deleted TINYINT(1)   NOT NULL DEFAULT 0,
    status       VARCHAR(32)  NOT NULL,
    fail_reason  TEXT         NOT NULL,
    fail_code    VARCHAR(64)  NOT NULL,
    attempts     INT          NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    updated_at   DATETIME(6)  NOT NULL,
    expires_at   DATETIME(6)  NULL,
    PRIMARY KEY (session_id, id),
    UNIQUE KEY messages_seq_key (seq),
    KEY messages_queue_idx (session_id, status, seq),
    KEY messages_expiry_idx (session_id, status, expires_at),
    KEY messages_status_idx (status, session_id),
    KEY messages_blob_idx (blob_key, blob_deleted),
    CONSTRAINT messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE events (
    seq          BIGINT       NOT NULL AUTO_INCREMENT,
    id           VARCHAR(191) NOT NULL,
    type         VARCHAR(64)  NOT NULL,
    session_id   VARCHAR(191) NOT NULL,
    occurred_at  DATETIME(6)  NOT NULL,
    payload      LONGBLOB     NOT NULL,
    published_at DATETIME(6)  NULL,
    position     BIGINT       NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY events_id_key (id),
    UNIQUE KEY events_position_idx (position),
    KEY events_session_idx (session_id),
    KEY events_unpublished_idx (published_at, seq),
    CONSTRAINT events_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE webhook_subscriptions (
    id              VARCHAR(191) NOT NULL,
    session_id      VARCHAR(191) NOT NULL,
    url             TEXT         NOT NULL,
    secret          TEXT         NOT NULL,
    previous_secret TEXT         NOT NULL,
    previous_until  DATETIME(6)  NULL,
    events          TEXT         NOT NULL,
    mode            VARCHAR(32)  NOT NULL,
    algorithm       INT          NOT NULL,
    enabled         TINYINT(1)   NOT NULL,
    failures        INT          NOT NULL,
    disabled_reason TEXT         NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY webhook_subscriptions_session_idx (session_id, created_at),
    CONSTRAINT webhook_subscriptions_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE webhook_deliveries (
    seq             BIGINT       NOT NULL AUTO_INCREMENT,
    id              VARCHAR(191) NOT NULL,
    event_id        VARCHAR(191) NOT NULL,
    session_id      VARCHAR(191) NOT NULL,
    subscription_id VARCHAR(191) NOT NULL,
    url             TEXT         NOT NULL,
    url_hash        BINARY(32) AS (UNHEX(SHA2(url, 256))) STORED,
    status          VARCHAR(32)  NOT NULL,
    attempts        INT          NOT NULL,
    next_attempt_at DATETIME(6)  NOT NULL,
    last_error      TEXT         NOT NULL,
    last_status     INT          NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    retry_from      DATETIME(6)  NOT NULL,
    updated_at      DATETIME(6)  NOT NULL,
    locked_until    DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY webhook_deliveries_seq_key (seq),
    UNIQUE KEY webhook_deliveries_event_line_key (event_id, subscription_id, url_hash),
    KEY webhook_deliveries_due_idx (status, next_attempt_at),
    KEY webhook_deliveries_pending_idx (status, session_id, subscription_id, url_hash, seq),
    CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE wa_session_devices (
    session_id VARCHAR(191) NOT NULL,
    jid        VARCHAR(191) NOT NULL,
    PRIMARY KEY (session_id),
    CONSTRAINT wa_session_devices_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE limiter_counters (
    `key`        VARCHAR(255) NOT NULL,
    window_start DATETIME(6)  NOT NULL,
    count        BIGINT       NOT NULL,
    expires_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (`key`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE recipient_cooldowns (
    session_id   VARCHAR(191) NOT NULL,
    recipient    VARCHAR(191) NOT NULL,
    last_sent_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (session_id, recipient),
    CONSTRAINT recipient_cooldowns_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE idempotency_keys (
    scope       VARCHAR(191) NOT NULL,
    `key`       VARCHAR(255) NOT NULL,
    hash        VARCHAR(191) NOT NULL,
    session_id  VARCHAR(191) NOT NULL,
    message_ids LONGTEXT     NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    expires_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (scope, `key`),
    KEY idempotency_keys_session_idx (session_id),
    CONSTRAINT idempotency_keys_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE parked_events (
    id         VARCHAR(191) NOT NULL,
    session_id VARCHAR(191) NOT NULL,
    kind       VARCHAR(64)  NOT NULL,
    payload    LONGBLOB     NOT NULL,
    reason     TEXT         NOT NULL,
    parked_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY parked_events_parked_at_idx (parked_at, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inbound_messages (
    session_id   VARCHAR(191) NOT NULL,
    id           VARCHAR(191) NOT NULL,
    chat         VARCHAR(191) NOT NULL,
    sender_jid   VARCHAR(191) NOT NULL,
    sender_lid   VARCHAR(191) NOT NULL,
    push_name    TEXT         NOT NULL,
    from_me      TINYINT(1)   NOT NULL,
    history      TINYINT(1)   NOT NULL,
    kind         VARCHAR(64)  NOT NULL,
    text         LONGTEXT     NOT NULL,
    media_mime   TEXT         NOT NULL,
    media_size   BIGINT       NOT NULL,
    media_name   TEXT         NOT NULL,
    content      LONGBLOB     NOT NULL,
    search_text  LONGTEXT     NOT NULL,
    sent_at      DATETIME(6)  NOT NULL,
    received_at  DATETIME(6)  NOT NULL,
    edited_at    DATETIME(6)  NULL,
    revoked_at   DATETIME(6)  NULL,
    read_at      DATETIME(6)  NULL,
    delivered_at DATETIME(6)  NULL,
    seen_at      DATETIME(6)  NULL,
    starred_at   DATETIME(6)  NULL,
    PRIMARY KEY (session_id, id),
    KEY inbound_messages_age_idx (session_id, sent_at),
    KEY inbound_messages_chat_idx (session_id, chat, sent_at, received_at, id),
    CONSTRAINT inbound_messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE inbound_reactions (
    session_id VARCHAR(191) NOT NULL,
    message_id VARCHAR(191) NOT NULL,
    reactor    VARCHAR(191) NOT NULL,
    emoji      TEXT         NOT NULL,
    reacted_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (session_id, message_id, reactor),
    CONSTRAINT inbound_reactions_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE chat_pins (
    session_id VARCHAR(191) NOT NULL,
    chat       VARCHAR(191) NOT NULL,
    pinned_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (session_id, chat),
    CONSTRAINT chat_pins_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE chat_pins;
DROP TABLE inbound_reactions;
DROP TABLE inbound_messages;
DROP TABLE parked_events;
DROP TABLE idempotency_keys;
DROP TABLE recipient_cooldowns;
DROP TABLE limiter_counters;
DROP TABLE wa_session_devices;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE events;
DROP TABLE messages;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE sessions;
