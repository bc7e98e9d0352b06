-- +goose Up
-- Which whatsmeow device (whatsmeow_device.jid) each session is linked as. No foreign
-- key: whatsmeow creates its own tables after our migrations run.
CREATE TABLE wa_session_devices (
    session_id TEXT PRIMARY KEY,
    jid        TEXT NOT NULL
);

-- +goose Down
DROP TABLE wa_session_devices;
