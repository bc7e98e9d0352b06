-- whatsmeow's device store on MySQL/MariaDB. whatsmeow's own store (sqlstore) speaks
-- only SQLite and PostgreSQL, so on MySQL the whatsmeow adapter keeps its devices and
-- their Signal keys in these tables through a store of ours (adapters/whatsmeow/mysqlstore).
-- The tables and columns are sqlstore's, so the three dialects hold the same data under
-- the same names, except where MySQL reserves a word (pre_key, secret) or needs a
-- bounded type for a key: JIDs and Signal addresses are VARCHAR(191) (utf8mb4 keys of
-- up to four of them fit InnoDB's 3072 bytes), binary keys VARBINARY, payloads BLOBs.
-- Lengths whatsmeow relies on are CHECKed as sqlstore does. Times are whatsmeow's
-- integers (Unix seconds or milliseconds), not DATETIMEs.

-- +goose Up
CREATE TABLE whatsmeow_device (
    jid                  VARCHAR(191)  NOT NULL,
    lid                  VARCHAR(191)  NULL,
    facebook_uuid        VARCHAR(36)   NULL,
    registration_id      INT UNSIGNED  NOT NULL,
    noise_key            VARBINARY(32) NOT NULL CHECK (LENGTH(noise_key) = 32),
    identity_key         VARBINARY(32) NOT NULL CHECK (LENGTH(identity_key) = 32),
    signed_pre_key       VARBINARY(32) NOT NULL CHECK (LENGTH(signed_pre_key) = 32),
    signed_pre_key_id    INT UNSIGNED  NOT NULL CHECK (signed_pre_key_id < 16777216),
    signed_pre_key_sig   VARBINARY(64) NOT NULL CHECK (LENGTH(signed_pre_key_sig) = 64),
    adv_key              BLOB          NOT NULL,
    adv_details          BLOB          NOT NULL,
    adv_account_sig      VARBINARY(64) NOT NULL CHECK (LENGTH(adv_account_sig) = 64),
    adv_account_sig_key  VARBINARY(32) NOT NULL CHECK (LENGTH(adv_account_sig_key) = 32),
    adv_device_sig       VARBINARY(64) NOT NULL CHECK (LENGTH(adv_device_sig) = 64),
    platform             TEXT          NOT NULL,
    business_name        TEXT          NOT NULL,
    push_name            TEXT          NOT NULL,
    lid_migration_ts     BIGINT        NOT NULL,
    companion_meta_nonce TEXT          NOT NULL,
    PRIMARY KEY (jid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_identity_keys (
    our_jid  VARCHAR(191)  NOT NULL,
    their_id VARCHAR(191)  NOT NULL,
    identity VARBINARY(32) NOT NULL CHECK (LENGTH(identity) = 32),
    PRIMARY KEY (our_jid, their_id),
    CONSTRAINT whatsmeow_identity_keys_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_pre_keys (
    jid      VARCHAR(191)  NOT NULL,
    key_id   INT UNSIGNED  NOT NULL CHECK (key_id < 16777216),
    pre_key  VARBINARY(32) NOT NULL CHECK (LENGTH(pre_key) = 32),
    uploaded TINYINT(1)    NOT NULL,
    PRIMARY KEY (jid, key_id),
    CONSTRAINT whatsmeow_pre_keys_jid_fkey FOREIGN KEY (jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_sessions (
    our_jid  VARCHAR(191) NOT NULL,
    their_id VARCHAR(191) NOT NULL,
    session  BLOB         NOT NULL,
    PRIMARY KEY (our_jid, their_id),
    CONSTRAINT whatsmeow_sessions_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_sender_keys (
    our_jid    VARCHAR(191) NOT NULL,
    chat_id    VARCHAR(191) NOT NULL,
    sender_id  VARCHAR(191) NOT NULL,
    sender_key BLOB         NOT NULL,
    PRIMARY KEY (our_jid, chat_id, sender_id),
    CONSTRAINT whatsmeow_sender_keys_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_app_state_sync_keys (
    jid           VARCHAR(191)   NOT NULL,
    key_id        VARBINARY(255) NOT NULL,
    key_data      BLOB           NOT NULL,
    key_timestamp BIGINT         NOT NULL,
    fingerprint   BLOB           NOT NULL,
    PRIMARY KEY (jid, key_id),
    CONSTRAINT whatsmeow_app_state_sync_keys_jid_fkey FOREIGN KEY (jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_app_state_version (
    jid     VARCHAR(191)     NOT NULL,
    name    VARCHAR(191)     NOT NULL,
    version BIGINT UNSIGNED  NOT NULL,
    hash    VARBINARY(128)   NOT NULL CHECK (LENGTH(hash) = 128),
    PRIMARY KEY (jid, name),
    CONSTRAINT whatsmeow_app_state_version_jid_fkey FOREIGN KEY (jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_app_state_mutation_macs (
    jid       VARCHAR(191)    NOT NULL,
    name      VARCHAR(191)    NOT NULL,
    version   BIGINT UNSIGNED NOT NULL,
    index_mac VARBINARY(32)   NOT NULL CHECK (LENGTH(index_mac) = 32),
    value_mac VARBINARY(32)   NOT NULL CHECK (LENGTH(value_mac) = 32),
    PRIMARY KEY (jid, name, version, index_mac),
    KEY whatsmeow_app_state_mutation_macs_index_idx (jid, name, index_mac),
    CONSTRAINT whatsmeow_app_state_mutation_macs_version_fkey FOREIGN KEY (jid, name) REFERENCES whatsmeow_app_state_version (jid, name) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_contacts (
    our_jid        VARCHAR(191) NOT NULL,
    their_jid      VARCHAR(191) NOT NULL,
    first_name     TEXT         NULL,
    full_name      TEXT         NULL,
    push_name      TEXT         NULL,
    business_name  TEXT         NULL,
    redacted_phone TEXT         NULL,
    PRIMARY KEY (our_jid, their_jid),
    CONSTRAINT whatsmeow_contacts_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_chat_settings (
    our_jid     VARCHAR(191) NOT NULL,
    chat_jid    VARCHAR(191) NOT NULL,
    muted_until BIGINT       NOT NULL DEFAULT 0,
    pinned      TINYINT(1)   NOT NULL DEFAULT 0,
    archived    TINYINT(1)   NOT NULL DEFAULT 0,
    PRIMARY KEY (our_jid, chat_jid),
    CONSTRAINT whatsmeow_chat_settings_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_message_secrets (
    our_jid    VARCHAR(191) NOT NULL,
    chat_jid   VARCHAR(191) NOT NULL,
    sender_jid VARCHAR(191) NOT NULL,
    message_id VARCHAR(128) NOT NULL,
    secret     BLOB         NOT NULL,
    PRIMARY KEY (our_jid, chat_jid, sender_jid, message_id),
    CONSTRAINT whatsmeow_message_secrets_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_privacy_tokens (
    our_jid          VARCHAR(191) NOT NULL,
    their_jid        VARCHAR(191) NOT NULL,
    token            BLOB         NOT NULL,
    token_timestamp  BIGINT       NOT NULL,
    sender_timestamp BIGINT       NULL,
    PRIMARY KEY (our_jid, their_jid),
    KEY whatsmeow_privacy_tokens_our_jid_timestamp_idx (our_jid, token_timestamp),
    CONSTRAINT whatsmeow_privacy_tokens_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_nct_salt (
    our_jid VARCHAR(191) NOT NULL,
    salt    BLOB         NOT NULL,
    PRIMARY KEY (our_jid),
    CONSTRAINT whatsmeow_nct_salt_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_lid_map (
    lid VARCHAR(191) NOT NULL,
    pn  VARCHAR(191) NOT NULL,
    PRIMARY KEY (lid),
    UNIQUE KEY whatsmeow_lid_map_pn_key (pn)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_event_buffer (
    our_jid          VARCHAR(191)  NOT NULL,
    ciphertext_hash  VARBINARY(32) NOT NULL CHECK (LENGTH(ciphertext_hash) = 32),
    plaintext        LONGBLOB      NULL,
    server_timestamp BIGINT        NOT NULL,
    insert_timestamp BIGINT        NOT NULL,
    PRIMARY KEY (our_jid, ciphertext_hash),
    KEY whatsmeow_event_buffer_insert_idx (our_jid, insert_timestamp),
    CONSTRAINT whatsmeow_event_buffer_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE whatsmeow_retry_buffer (
    our_jid          VARCHAR(191) NOT NULL,
    chat_jid         VARCHAR(191) NOT NULL,
    message_id       VARCHAR(128) NOT NULL,
    format           VARCHAR(64)  NOT NULL,
    plaintext        LONGBLOB     NOT NULL,
    stored_timestamp BIGINT       NOT NULL,
    PRIMARY KEY (our_jid, chat_jid, message_id),
    KEY whatsmeow_retry_buffer_timestamp_idx (our_jid, stored_timestamp),
    CONSTRAINT whatsmeow_retry_buffer_our_jid_fkey FOREIGN KEY (our_jid) REFERENCES whatsmeow_device (jid) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE whatsmeow_retry_buffer;
DROP TABLE whatsmeow_event_buffer;
DROP TABLE whatsmeow_lid_map;
DROP TABLE whatsmeow_nct_salt;
DROP TABLE whatsmeow_privacy_tokens;
DROP TABLE whatsmeow_message_secrets;
DROP TABLE whatsmeow_chat_settings;
DROP TABLE whatsmeow_contacts;
DROP TABLE whatsmeow_app_state_mutation_macs;
DROP TABLE whatsmeow_app_state_version;
DROP TABLE whatsmeow_app_state_sync_keys;
DROP TABLE whatsmeow_sender_keys;
DROP TABLE whatsmeow_sessions;
DROP TABLE whatsmeow_pre_keys;
DROP TABLE whatsmeow_identity_keys;
DROP TABLE whatsmeow_device;
