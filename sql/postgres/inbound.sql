-- name: SaveInboundMessage :execrows
INSERT INTO inbound_messages (session_id, id, chat, sender_jid, sender_lid, push_name, from_me, history, kind, text,
                              media_mime, media_size, media_name, content, sent_at, received_at)
VALUES (sqlc.arg(session_id), sqlc.arg(id), sqlc.arg(chat), sqlc.arg(sender_jid), sqlc.arg(sender_lid), sqlc.arg(push_name),
        sqlc.arg(from_me), sqlc.arg(history), sqlc.arg(kind), sqlc.arg(text), sqlc.arg(media_mime), sqlc.arg(media_size),
        sqlc.arg(media_name), sqlc.arg(content), sqlc.arg(sent_at), sqlc.arg(received_at))
ON CONFLICT DO NOTHING;

-- name: GetInboundMessage :one
SELECT * FROM inbound_messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: UpdateInboundMessage :execrows
-- What an edit or a deletion for everyone changes.
UPDATE inbound_messages
SET text = sqlc.arg(text), media_mime = sqlc.arg(media_mime), media_size = sqlc.arg(media_size), media_name = sqlc.arg(media_name),
    content = sqlc.arg(content), edited_at = sqlc.arg(edited_at), revoked_at = sqlc.arg(revoked_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: PutInboundReaction :exec
INSERT INTO inbound_reactions (session_id, message_id, reactor, emoji, reacted_at)
VALUES (sqlc.arg(session_id), sqlc.arg(message_id), sqlc.arg(reactor), sqlc.arg(emoji), sqlc.arg(reacted_at))
ON CONFLICT (session_id, message_id, reactor) DO UPDATE SET emoji = excluded.emoji, reacted_at = excluded.reacted_at;

-- name: DeleteInboundReaction :exec
DELETE FROM inbound_reactions
WHERE session_id = sqlc.arg(session_id) AND message_id = sqlc.arg(message_id) AND reactor = sqlc.arg(reactor);

-- name: ListInboundReactions :many
SELECT * FROM inbound_reactions
WHERE session_id = sqlc.arg(session_id) AND message_id = sqlc.arg(message_id)
ORDER BY reacted_at, reactor;
