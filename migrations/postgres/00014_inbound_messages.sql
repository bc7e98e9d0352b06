-- +goose Up
-- Inbound messages get a table of their own: what arrived (chat, sender, kind, text,
-- media metadata and the neutral content as JSON, for media download) and what
-- happened since (edited, deleted for everyone, reactions). Message actions find a
-- received message here, chat history and media download build on it; nothing
-- reads event payloads any more, so events lose message_id and its index.
CREATE TABLE inbound_messages (
    session_id  TEXT        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    id          TEXT        NOT NULL,
    chat        TEXT        NOT NULL,
    sender_jid  TEXT        NOT NULL,
    sender_lid  TEXT        NOT NULL,
    push_name   TEXT        NOT NULL,
    from_me     BOOLEAN     NOT NULL,
    history     BOOLEAN     NOT NULL,
    kind        TEXT        NOT NULL,
    text        TEXT        NOT NULL,
    media_mime  TEXT        NOT NULL,
    media_size  BIGINT      NOT NULL,
    media_name  TEXT        NOT NULL,
    content     BYTEA       NOT NULL, -- message.Content as JSON, bytes as given
    sent_at     TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    edited_at   TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    PRIMARY KEY (session_id, id)
);
CREATE INDEX inbound_messages_chat_idx ON inbound_messages (session_id, chat, sent_at);

-- Each person's current reaction to a message, received or sent by us.
CREATE TABLE inbound_reactions (
    session_id TEXT        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    message_id TEXT        NOT NULL,
    reactor    TEXT        NOT NULL,
    emoji      TEXT        NOT NULL,
    reacted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, message_id, reactor)
);

-- Received messages logged before this version, from their WAREST payloads (the
-- one time anything reads them): the newest event of each message id wins. Their
-- content keeps kind and text only; later edits, deletions and reactions are not
-- replayed. A payload jsonb refuses (a NUL in the text) is skipped.
-- +goose StatementBegin
DO $$
DECLARE
    e RECORD;
    p JSONB;
BEGIN
    FOR e IN SELECT session_id, occurred_at, payload FROM events WHERE type = 'message_received' ORDER BY seq DESC LOOP
        BEGIN
            p := convert_from(e.payload, 'UTF8')::jsonb;
        EXCEPTION WHEN OTHERS THEN
            CONTINUE;
        END;
        CONTINUE WHEN COALESCE(p #>> '{message,key,id}', '') = '';
        INSERT INTO inbound_messages (session_id, id, chat, sender_jid, sender_lid, push_name, from_me, history, kind, text,
                                      media_mime, media_size, media_name, content, sent_at, received_at)
        VALUES (e.session_id, p #>> '{message,key,id}', COALESCE(p #>> '{message,key,remoteJid}', ''),
                COALESCE(p #>> '{sender,authorJid}', ''), COALESCE(p #>> '{sender,authorLid}', ''),
                COALESCE(p #>> '{sender,pushName}', ''), COALESCE((p #>> '{message,key,fromMe}')::boolean, FALSE), FALSE,
                COALESCE(p ->> 'contentType', 'unknown'), COALESCE(p ->> 'text', ''),
                COALESCE(p #>> '{media,mimeType}', ''), COALESCE((p #>> '{media,fileLength}')::bigint, 0),
                COALESCE(p #>> '{media,fileName}', ''),
                convert_to(jsonb_build_object('kind', COALESCE(p ->> 'contentType', 'unknown'), 'text', COALESCE(p ->> 'text', ''))::text, 'UTF8'),
                COALESCE(to_timestamp((p #>> '{message,messageTimestamp}')::bigint), e.occurred_at), e.occurred_at)
        ON CONFLICT DO NOTHING;
    END LOOP;
END $$;
-- +goose StatementEnd

ALTER TABLE events DROP COLUMN message_id; -- and its index

-- +goose Down
-- message_id stays empty: payloads written since 00014 hold no WAREST key to copy,
-- and older ones may not cast to jsonb (see above).
ALTER TABLE events ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
CREATE INDEX events_received_message_idx ON events (session_id, message_id) WHERE type = 'message_received';
DROP TABLE inbound_reactions;
DROP TABLE inbound_messages;
