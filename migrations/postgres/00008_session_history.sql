-- +goose Up
-- A session's history belongs to that session, not to its reusable name: deleting
-- the session deletes its events, their deliveries, its idempotency keys, cooldowns
-- and device link in the same transaction (messages and subscriptions already go).
-- Foreign keys enforce it, so no race leaves a row a later session of the same name
-- could see. Rows of sessions deleted before this migration go first.
DELETE FROM events e WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id);
DELETE FROM webhook_deliveries d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id);
DELETE FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = k.session_id);
DELETE FROM recipient_cooldowns c WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = c.session_id);
-- whatsmeow's own device row is purged by the logout that precedes a deletion;
-- the cascade makes sure a later session of the same name never finds the link.
DELETE FROM wa_session_devices w WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = w.session_id);

CREATE INDEX events_session_idx ON events (session_id); -- the cascade's lookup
CREATE INDEX idempotency_keys_session_idx ON idempotency_keys (session_id);
ALTER TABLE events
    ADD CONSTRAINT events_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE;
-- The unique (event_id, subscription_id, url) index serves this cascade's lookup.
ALTER TABLE webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE idempotency_keys
    ADD CONSTRAINT idempotency_keys_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE;
ALTER TABLE recipient_cooldowns
    ADD CONSTRAINT recipient_cooldowns_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE;
ALTER TABLE wa_session_devices
    ADD CONSTRAINT wa_session_devices_session_id_fkey FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE wa_session_devices DROP CONSTRAINT wa_session_devices_session_id_fkey;
ALTER TABLE recipient_cooldowns DROP CONSTRAINT recipient_cooldowns_session_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_session_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_session_id_fkey;
DROP INDEX idempotency_keys_session_idx;
DROP INDEX events_session_idx;
