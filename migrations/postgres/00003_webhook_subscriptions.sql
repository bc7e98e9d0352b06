-- +goose Up
-- A session's webhook targets. Secrets are sealed by ports.SecretSealer;
-- previous_secret is '' and previous_until NULL outside a rotation.
CREATE TABLE webhook_subscriptions (
    id              TEXT PRIMARY KEY,
    session_id      TEXT        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    url             TEXT        NOT NULL,
    secret          TEXT        NOT NULL,
    previous_secret TEXT        NOT NULL DEFAULT '',
    previous_until  TIMESTAMPTZ,
    events          TEXT        NOT NULL DEFAULT '[]', -- JSON array of event types; empty: all
    mode            TEXT        NOT NULL,
    algorithm       INTEGER     NOT NULL DEFAULT 0,
    enabled         BOOLEAN     NOT NULL,
    failures        INTEGER     NOT NULL DEFAULT 0,
    disabled_reason TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_subscriptions_session_idx ON webhook_subscriptions (session_id, created_at);

ALTER TABLE webhook_deliveries
    ADD COLUMN subscription_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN retry_from      TIMESTAMPTZ,
    ADD COLUMN locked_until    TIMESTAMPTZ, -- claimed by a worker until then
    ADD COLUMN seq             BIGINT;      -- creation order, which ClaimDue serialises each receiver's line by
-- Existing rows get seq in creation order (an identity added at once would number
-- them in physical order), then the identity continues after them.
UPDATE webhook_deliveries d
SET retry_from = d.created_at, seq = o.n
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM webhook_deliveries) o
WHERE d.id = o.id;
ALTER TABLE webhook_deliveries
    ALTER COLUMN retry_from SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('webhook_deliveries', 'seq'), COALESCE(MAX(seq), 0) + 1, false)
FROM webhook_deliveries;
ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_event_id_url_key,
    ADD CONSTRAINT webhook_deliveries_event_id_subscription_id_url_key UNIQUE (event_id, subscription_id, url);
CREATE INDEX webhook_deliveries_line_idx ON webhook_deliveries (session_id, subscription_id, status);

-- +goose Down
DROP INDEX webhook_deliveries_line_idx;
-- Deliveries of one event to one URL through several subscriptions collapse to one.
DELETE FROM webhook_deliveries d
USING webhook_deliveries k
WHERE d.event_id = k.event_id AND d.url = k.url AND d.seq > k.seq;
ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_event_id_subscription_id_url_key,
    ADD CONSTRAINT webhook_deliveries_event_id_url_key UNIQUE (event_id, url),
    DROP COLUMN seq,
    DROP COLUMN locked_until,
    DROP COLUMN retry_from,
    DROP COLUMN subscription_id;
DROP TABLE webhook_subscriptions;
