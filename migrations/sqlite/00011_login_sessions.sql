-- +goose Up
-- A login mints a login session: a key of kind 'login' that ends at expires_at (unix
-- ms) or at logout. Keys issued through the API or seeded stay kind 'api', permanent.
ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
-- Logins used to mint permanent keys named 'login': they become login sessions
-- ending 12 hours (the default TTL) after this upgrade.
UPDATE api_keys SET kind = 'login', expires_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) + 43200000
WHERE name = 'login';

-- +goose Down
-- Without the columns a login session would become a permanent key: end them all.
DELETE FROM api_keys WHERE kind = 'login';
ALTER TABLE api_keys DROP COLUMN expires_at;
ALTER TABLE api_keys DROP COLUMN kind;
