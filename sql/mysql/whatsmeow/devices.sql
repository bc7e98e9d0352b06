-- whatsmeow's devices and their Signal keys (adapters/whatsmeow/mysqlstore).

-- name: GetAllDevices :many
SELECT * FROM whatsmeow_device ORDER BY jid;

-- name: GetDevice :one
SELECT * FROM whatsmeow_device WHERE jid = sqlc.arg(jid);

-- name: PutDevice :exec
-- The keys a device was created with never change: a later save updates only what
-- WhatsApp tells it afterwards, as sqlstore does.
INSERT INTO whatsmeow_device (jid, lid, facebook_uuid, registration_id, noise_key, identity_key,
    signed_pre_key, signed_pre_key_id, signed_pre_key_sig, adv_key, adv_details, adv_account_sig,
    adv_account_sig_key, adv_device_sig, platform, business_name, push_name, lid_migration_ts, companion_meta_nonce)
VALUES (sqlc.arg(jid), sqlc.narg(lid), sqlc.narg(facebook_uuid), sqlc.arg(registration_id), sqlc.arg(noise_key),
    sqlc.arg(identity_key), sqlc.arg(signed_pre_key), sqlc.arg(signed_pre_key_id), sqlc.arg(signed_pre_key_sig),
    sqlc.arg(adv_key), sqlc.arg(adv_details), sqlc.arg(adv_account_sig), sqlc.arg(adv_account_sig_key),
    sqlc.arg(adv_device_sig), sqlc.arg(platform), sqlc.arg(business_name), sqlc.arg(push_name),
    sqlc.arg(lid_migration_ts), sqlc.arg(companion_meta_nonce))
ON DUPLICATE KEY UPDATE lid = VALUES(lid), platform = VALUES(platform), business_name = VALUES(business_name),
    push_name = VALUES(push_name), lid_migration_ts = VALUES(lid_migration_ts),
    companion_meta_nonce = VALUES(companion_meta_nonce);

-- name: DeleteDevice :exec
DELETE FROM whatsmeow_device WHERE jid = sqlc.arg(jid);

-- name: PutIdentity :exec
INSERT INTO whatsmeow_identity_keys (our_jid, their_id, identity)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_id), sqlc.arg(identity))
ON DUPLICATE KEY UPDATE identity = VALUES(identity);

-- name: GetIdentity :one
SELECT identity FROM whatsmeow_identity_keys WHERE our_jid = sqlc.arg(our_jid) AND their_id = sqlc.arg(their_id);

-- name: DeleteIdentity :exec
DELETE FROM whatsmeow_identity_keys WHERE our_jid = sqlc.arg(our_jid) AND their_id = sqlc.arg(their_id);

-- name: DeleteIdentitiesLike :exec
DELETE FROM whatsmeow_identity_keys WHERE our_jid = sqlc.arg(our_jid) AND their_id LIKE sqlc.arg(pattern);

-- name: GetSession :one
SELECT session FROM whatsmeow_sessions WHERE our_jid = sqlc.arg(our_jid) AND their_id = sqlc.arg(their_id);

-- name: GetManySessions :many
SELECT their_id, session FROM whatsmeow_sessions
WHERE our_jid = sqlc.arg(our_jid) AND their_id IN (sqlc.slice(their_ids));

-- name: PutSession :exec
INSERT INTO whatsmeow_sessions (our_jid, their_id, session)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_id), sqlc.arg(session))
ON DUPLICATE KEY UPDATE session = VALUES(session);

-- name: DeleteSession :exec
DELETE FROM whatsmeow_sessions WHERE our_jid = sqlc.arg(our_jid) AND their_id = sqlc.arg(their_id);

-- name: DeleteSessionsLike :exec
DELETE FROM whatsmeow_sessions WHERE our_jid = sqlc.arg(our_jid) AND their_id LIKE sqlc.arg(pattern);

-- name: CopySessionsToLID :execrows
-- Copies the sessions of a phone number's devices (pn:1, pn:2 …) to its LID (lid:1 …).
INSERT INTO whatsmeow_sessions (our_jid, their_id, session)
SELECT s.our_jid, REPLACE(s.their_id, sqlc.arg(pn), sqlc.arg(lid)), s.session FROM whatsmeow_sessions s
WHERE s.our_jid = sqlc.arg(our_jid) AND s.their_id LIKE sqlc.arg(pattern)
ON DUPLICATE KEY UPDATE session = VALUES(session);

-- name: CopyIdentitiesToLID :execrows
INSERT INTO whatsmeow_identity_keys (our_jid, their_id, identity)
SELECT i.our_jid, REPLACE(i.their_id, sqlc.arg(pn), sqlc.arg(lid)), i.identity FROM whatsmeow_identity_keys i
WHERE i.our_jid = sqlc.arg(our_jid) AND i.their_id LIKE sqlc.arg(pattern)
ON DUPLICATE KEY UPDATE identity = VALUES(identity);

-- name: CopySenderKeysToLID :execrows
INSERT INTO whatsmeow_sender_keys (our_jid, chat_id, sender_id, sender_key)
SELECT k.our_jid, k.chat_id, REPLACE(k.sender_id, sqlc.arg(pn), sqlc.arg(lid)), k.sender_key FROM whatsmeow_sender_keys k
WHERE k.our_jid = sqlc.arg(our_jid) AND k.sender_id LIKE sqlc.arg(pattern)
ON DUPLICATE KEY UPDATE sender_key = VALUES(sender_key);

-- name: DeleteSenderKeysLike :exec
DELETE FROM whatsmeow_sender_keys WHERE our_jid = sqlc.arg(our_jid) AND sender_id LIKE sqlc.arg(pattern);

-- name: PutSenderKey :exec
INSERT INTO whatsmeow_sender_keys (our_jid, chat_id, sender_id, sender_key)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_id), sqlc.arg(sender_id), sqlc.arg(sender_key))
ON DUPLICATE KEY UPDATE sender_key = VALUES(sender_key);

-- name: GetSenderKey :one
SELECT sender_key FROM whatsmeow_sender_keys
WHERE our_jid = sqlc.arg(our_jid) AND chat_id = sqlc.arg(chat_id) AND sender_id = sqlc.arg(sender_id);

-- name: LastPreKeyID :one
SELECT CAST(COALESCE(MAX(key_id), 0) AS UNSIGNED) AS last_id FROM whatsmeow_pre_keys WHERE jid = sqlc.arg(jid);

-- name: InsertPreKey :exec
INSERT INTO whatsmeow_pre_keys (jid, key_id, pre_key, uploaded)
VALUES (sqlc.arg(jid), sqlc.arg(key_id), sqlc.arg(pre_key), sqlc.arg(uploaded));

-- name: GetUnuploadedPreKeys :many
SELECT key_id, pre_key FROM whatsmeow_pre_keys WHERE jid = sqlc.arg(jid) AND uploaded = 0 ORDER BY key_id LIMIT ?;

-- name: GetPreKey :one
SELECT key_id, pre_key FROM whatsmeow_pre_keys WHERE jid = sqlc.arg(jid) AND key_id = sqlc.arg(key_id);

-- name: DeletePreKey :exec
DELETE FROM whatsmeow_pre_keys WHERE jid = sqlc.arg(jid) AND key_id = sqlc.arg(key_id);

-- name: MarkPreKeysUploaded :exec
UPDATE whatsmeow_pre_keys SET uploaded = 1 WHERE jid = sqlc.arg(jid) AND key_id <= sqlc.arg(up_to);

-- name: CountUploadedPreKeys :one
SELECT COUNT(*) FROM whatsmeow_pre_keys WHERE jid = sqlc.arg(jid) AND uploaded = 1;
