-- +goose Up
-- A session may turn down every incoming call by itself, optionally telling the
-- caller why (reject_call_message, sent as a text message; '' sends none).
ALTER TABLE sessions ADD COLUMN reject_calls BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE sessions ADD COLUMN reject_call_message TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sessions DROP COLUMN reject_call_message;
ALTER TABLE sessions DROP COLUMN reject_calls;
