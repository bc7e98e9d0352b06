-- name: SaveInboundMessage :execrows
INSERT INTO inbound_messages (session_id, id, chat, sender_jid, sender_lid, push_name, from_me, history, kind, text,
                              media_mime, media_size, media_name, content, sent_at, received_at, search_text)
VALUES (sqlc.arg(session_id), sqlc.arg(id), sqlc.arg(chat), sqlc.arg(sender_jid), sqlc.arg(sender_lid), sqlc.arg(push_name),
        sqlc.arg(from_me), sqlc.arg(history), sqlc.arg(kind), sqlc.arg(text), sqlc.arg(media_mime), sqlc.arg(media_size),
        sqlc.arg(media_name), sqlc.arg(content), sqlc.arg(sent_at), sqlc.arg(received_at), sqlc.arg(search_text));

-- name: GetInboundMessage :one
SELECT * FROM inbound_messages WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: UpdateInboundMessage :execrows
-- What an edit or a deletion for everyone changes.
UPDATE inbound_messages
SET text = sqlc.arg(text), media_mime = sqlc.arg(media_mime), media_size = sqlc.arg(media_size), media_name = sqlc.arg(media_name),
    content = sqlc.arg(content), search_text = sqlc.arg(search_text), edited_at = sqlc.narg(edited_at), revoked_at = sqlc.narg(revoked_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: PutInboundReaction :exec
INSERT INTO inbound_reactions (session_id, message_id, reactor, emoji, reacted_at)
VALUES (sqlc.arg(session_id), sqlc.arg(message_id), sqlc.arg(reactor), sqlc.arg(emoji), sqlc.arg(reacted_at))
ON DUPLICATE KEY UPDATE emoji = VALUES(emoji), reacted_at = VALUES(reacted_at);

-- name: DeleteInboundReaction :exec
DELETE FROM inbound_reactions
WHERE session_id = sqlc.arg(session_id) AND message_id = sqlc.arg(message_id) AND reactor = sqlc.arg(reactor);

-- name: ListInboundReactions :many
SELECT * FROM inbound_reactions
WHERE session_id = sqlc.arg(session_id) AND message_id = sqlc.arg(message_id)
ORDER BY reacted_at, reactor;

-- name: ListChatHistory :many
-- A page of one chat's history, newest first (sent, then arrived: WhatsApp's
-- times are seconds), older than the keyset (before_at, before_received_at,
-- before_id; spelt out: sqlc does not bind parameters in a row comparison), under
-- the filters of message.HistoryFilter.
SELECT * FROM inbound_messages
WHERE session_id = sqlc.arg(session_id) AND chat = sqlc.arg(chat)
  AND sent_at >= sqlc.arg(from_at) AND sent_at <= sqlc.arg(until_at)
  AND (sent_at < sqlc.arg(before_at)
       OR (sent_at = sqlc.arg(before_at) AND (received_at < sqlc.arg(before_received_at)
           OR (received_at = sqlc.arg(before_received_at) AND id < sqlc.arg(before_id)))))
  AND (sqlc.arg(media_only) = FALSE OR media_mime <> '')
  AND (sqlc.arg(filter_from_me) = FALSE OR from_me = sqlc.arg(from_me))
  AND (sqlc.arg(unread_only) = FALSE OR (NOT from_me AND read_at IS NULL AND revoked_at IS NULL))
  AND (sqlc.arg(search) = '' OR INSTR(search_text, sqlc.arg(search)) > 0)
ORDER BY sent_at DESC, received_at DESC, id DESC
LIMIT ? OFFSET ?;

-- name: CountChatHistory :one
-- How many messages ListChatHistory's filters match, whatever the page.
SELECT COUNT(*) FROM inbound_messages
WHERE session_id = sqlc.arg(session_id) AND chat = sqlc.arg(chat)
  AND sent_at >= sqlc.arg(from_at) AND sent_at <= sqlc.arg(until_at)
  AND (sqlc.arg(media_only) = FALSE OR media_mime <> '')
  AND (sqlc.arg(filter_from_me) = FALSE OR from_me = sqlc.arg(from_me))
  AND (sqlc.arg(unread_only) = FALSE OR (NOT from_me AND read_at IS NULL AND revoked_at IS NULL))
  AND (sqlc.arg(search) = '' OR INSTR(search_text, sqlc.arg(search)) > 0);

-- name: ListChatSummaries :many
-- Each chat of a session with its last message, unread count and pin.
SELECT m.chat,
       COUNT(*) AS messages,
       MIN(m.sent_at) AS first_at,
       MAX(m.sent_at) AS last_at,
       CAST(SUM(CASE WHEN NOT m.from_me AND m.read_at IS NULL AND m.revoked_at IS NULL THEN 1 ELSE 0 END) AS SIGNED) AS unread,
       CAST(SUM(CASE WHEN m.media_mime <> '' THEN 1 ELSE 0 END) AS SIGNED) AS media,
       COALESCE((SELECT l.text FROM inbound_messages l WHERE l.session_id = m.session_id AND l.chat = m.chat
                 ORDER BY l.sent_at DESC, l.received_at DESC, l.id DESC LIMIT 1), '') AS last_text,
       COALESCE((SELECT n.push_name FROM inbound_messages n WHERE n.session_id = m.session_id AND n.chat = m.chat
                 AND NOT n.from_me AND n.push_name <> '' ORDER BY n.sent_at DESC, n.received_at DESC, n.id DESC LIMIT 1), '') AS name,
       EXISTS (SELECT 1 FROM chat_pins p WHERE p.session_id = m.session_id AND p.chat = m.chat) AS pinned
FROM inbound_messages m
WHERE m.session_id = sqlc.arg(session_id)
GROUP BY m.session_id, m.chat;

-- name: MarkInboundRead :execrows
UPDATE inbound_messages SET read_at = sqlc.arg(read_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id) AND read_at IS NULL;

-- name: MarkInboundReceipt :exec
-- A peer's receipt: the first delivery and the first read (or play) stay.
UPDATE inbound_messages
SET delivered_at = COALESCE(delivered_at, sqlc.narg(delivered_at)), seen_at = COALESCE(seen_at, sqlc.narg(seen_at))
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: StarInboundMessage :exec
UPDATE inbound_messages SET starred_at = sqlc.narg(starred_at)
WHERE session_id = sqlc.arg(session_id) AND id = sqlc.arg(id);

-- name: PutChatPin :exec
INSERT INTO chat_pins (session_id, chat, pinned_at) VALUES (sqlc.arg(session_id), sqlc.arg(chat), sqlc.arg(pinned_at))
ON DUPLICATE KEY UPDATE pinned_at = VALUES(pinned_at);

-- name: DeleteChatPin :exec
DELETE FROM chat_pins WHERE session_id = sqlc.arg(session_id) AND chat = sqlc.arg(chat);

-- name: DeleteOldHistory :execrows
-- Retention: at most lim of a session's messages sent before before_at, oldest
-- first (DeleteOrphanReactions then drops their reactions).
DELETE FROM inbound_messages
WHERE session_id = sqlc.arg(session_id) AND sent_at < sqlc.arg(before_at)
ORDER BY sent_at
LIMIT ?;

-- name: DeleteOrphanReactions :exec
DELETE FROM inbound_reactions
WHERE inbound_reactions.session_id = sqlc.arg(session_id) AND inbound_reactions.reacted_at < sqlc.arg(before_at)
  AND NOT EXISTS (SELECT 1 FROM inbound_messages m
                  WHERE m.session_id = inbound_reactions.session_id AND m.id = inbound_reactions.message_id);
