-- whatsmeow's LID map (shared by every device) and its event and retry buffers.

-- name: DeleteOtherLIDForPN :exec
DELETE FROM whatsmeow_lid_map WHERE lid <> sqlc.arg(lid) AND pn = sqlc.arg(pn);

-- name: PutLIDMapping :exec
INSERT INTO whatsmeow_lid_map (lid, pn) VALUES (sqlc.arg(lid), sqlc.arg(pn))
ON DUPLICATE KEY UPDATE pn = VALUES(pn);

-- name: GetLIDForPN :one
SELECT lid FROM whatsmeow_lid_map WHERE pn = sqlc.arg(pn);

-- name: GetPNForLID :one
SELECT pn FROM whatsmeow_lid_map WHERE lid = sqlc.arg(lid);

-- name: GetLIDsForPNs :many
SELECT lid, pn FROM whatsmeow_lid_map WHERE pn IN (sqlc.slice(pns));

-- name: GetBufferedEvent :one
SELECT plaintext, server_timestamp, insert_timestamp FROM whatsmeow_event_buffer
WHERE our_jid = sqlc.arg(our_jid) AND ciphertext_hash = sqlc.arg(ciphertext_hash);

-- name: PutBufferedEvent :exec
INSERT INTO whatsmeow_event_buffer (our_jid, ciphertext_hash, plaintext, server_timestamp, insert_timestamp)
VALUES (sqlc.arg(our_jid), sqlc.arg(ciphertext_hash), sqlc.arg(plaintext), sqlc.arg(server_timestamp), sqlc.arg(insert_timestamp));

-- name: ClearBufferedEventPlaintext :exec
UPDATE whatsmeow_event_buffer SET plaintext = NULL
WHERE our_jid = sqlc.arg(our_jid) AND ciphertext_hash = sqlc.arg(ciphertext_hash);

-- name: DeleteOldBufferedEvents :exec
DELETE FROM whatsmeow_event_buffer WHERE our_jid = sqlc.arg(our_jid) AND insert_timestamp < sqlc.arg(cutoff);

-- name: GetOutgoingEvent :one
SELECT format, plaintext FROM whatsmeow_retry_buffer
WHERE our_jid = sqlc.arg(our_jid) AND chat_jid IN (sqlc.slice(chats)) AND message_id = sqlc.arg(message_id)
LIMIT 1;

-- name: AddOutgoingEvent :exec
INSERT INTO whatsmeow_retry_buffer (our_jid, chat_jid, message_id, format, plaintext, stored_timestamp)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_jid), sqlc.arg(message_id), sqlc.arg(format), sqlc.arg(plaintext), sqlc.arg(stored_timestamp))
ON DUPLICATE KEY UPDATE format = VALUES(format), plaintext = VALUES(plaintext), stored_timestamp = VALUES(stored_timestamp);

-- name: DeleteOldOutgoingEvents :exec
DELETE FROM whatsmeow_retry_buffer WHERE our_jid = sqlc.arg(our_jid) AND stored_timestamp < sqlc.arg(cutoff);
