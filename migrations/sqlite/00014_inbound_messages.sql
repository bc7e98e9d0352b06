-- +goose Up
-- Inbound messages get a table of their own: what arrived (chat, sender, kind, text,
-- media metadata and the neutral content as JSON, for media download) and what
-- happened since (edited, deleted for everyone, reactions). Message actions find a
-- received message here, chat history and media download build on it; nothing
-- reads event payloads any more, so events lose message_id and its index.
-- Times are unix ms.
CREATE TABLE inbound_messages (
    session_id  TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    chat        TEXT    NOT NULL,
    sender_jid  TEXT    NOT NULL,
    sender_lid  TEXT    NOT NULL,
    push_name   TEXT    NOT NULL,
    from_me     BOOLEAN NOT NULL,
    history     BOOLEAN NOT NULL,
    kind        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    media_mime  TEXT    NOT NULL,
    media_size  INTEGER NOT NULL,
    media_name  TEXT    NOT NULL,
    content     TEXT    NOT NULL, -- message.Content as JSON
    sent_at     INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    edited_at   INTEGER,
    revoked_at  INTEGER,
    PRIMARY KEY (session_id, id)
);
CREATE INDEX inbound_messages_chat_idx ON inbound_messages (session_id, chat, sent_at);

-- Each person's current reaction to a message, received or sent by us.
CREATE TABLE inbound_reactions (
    session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    message_id TEXT    NOT NULL,
    reactor    TEXT    NOT NULL,
    emoji      TEXT    NOT NULL,
    reacted_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, message_id, reactor)
);

-- Received messages logged before this version, from their WAREST payloads (the
-- one time anything reads them): the newest event of each message id wins. Their
-- content keeps kind and text only; later edits, deletions and reactions are not
-- replayed.
INSERT INTO inbound_messages (session_id, id, chat, sender_jid, sender_lid, push_name, from_me, history, kind, text,
                              media_mime, media_size, media_name, content, sent_at, received_at)
SELECT session_id, mid, chat, sender_jid, sender_lid, push_name, from_me, FALSE, kind, text,
       media_mime, media_size, media_name, json_object('kind', kind, 'text', text), sent_at, occurred_at
FROM (SELECT session_id, seq, occurred_at,
             json_extract(payload, '$.message.key.id') AS mid,
             COALESCE(json_extract(payload, '$.message.key.remoteJid'), '') AS chat,
             COALESCE(json_extract(payload, '$.sender.authorJid'), '') AS sender_jid,
             COALESCE(json_extract(payload, '$.sender.authorLid'), '') AS sender_lid,
             COALESCE(json_extract(payload, '$.sender.pushName'), '') AS push_name,
             COALESCE(json_extract(payload, '$.message.key.fromMe'), 0) AS from_me,
             COALESCE(json_extract(payload, '$.contentType'), 'unknown') AS kind,
             COALESCE(json_extract(payload, '$.text'), '') AS text,
             COALESCE(json_extract(payload, '$.media.mimeType'), '') AS media_mime,
             COALESCE(json_extract(payload, '$.media.fileLength'), 0) AS media_size,
             COALESCE(json_extract(payload, '$.media.fileName'), '') AS media_name,
             COALESCE(json_extract(payload, '$.message.messageTimestamp') * 1000, occurred_at) AS sent_at
      FROM events WHERE type = 'message_received' AND json_valid(payload))
WHERE mid IS NOT NULL AND mid <> ''
ORDER BY seq DESC
ON CONFLICT DO NOTHING;

DROP INDEX events_received_message_idx;
ALTER TABLE events DROP COLUMN message_id;

-- +goose Down
ALTER TABLE events ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
UPDATE events SET message_id = COALESCE(json_extract(payload, '$.message.key.id'), '')
WHERE type = 'message_received' AND json_valid(payload);
CREATE INDEX events_received_message_idx ON events (session_id, message_id) WHERE type = 'message_received';
DROP TABLE inbound_reactions;
DROP TABLE inbound_messages;
