-- whatsmeow's contacts, chat settings, message secrets, privacy tokens and NCT salt.

-- name: GetContact :one
SELECT first_name, full_name, push_name, business_name, redacted_phone FROM whatsmeow_contacts
WHERE our_jid = sqlc.arg(our_jid) AND their_jid = sqlc.arg(their_jid);

-- name: GetAllContacts :many
SELECT their_jid, first_name, full_name, push_name, business_name, redacted_phone FROM whatsmeow_contacts
WHERE our_jid = sqlc.arg(our_jid);

-- name: PutContactName :exec
INSERT INTO whatsmeow_contacts (our_jid, their_jid, first_name, full_name)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_jid), sqlc.arg(first_name), sqlc.arg(full_name))
ON DUPLICATE KEY UPDATE first_name = VALUES(first_name), full_name = VALUES(full_name);

-- name: PutPushName :exec
INSERT INTO whatsmeow_contacts (our_jid, their_jid, push_name)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_jid), sqlc.arg(push_name))
ON DUPLICATE KEY UPDATE push_name = VALUES(push_name);

-- name: PutBusinessName :exec
INSERT INTO whatsmeow_contacts (our_jid, their_jid, business_name)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_jid), sqlc.arg(business_name))
ON DUPLICATE KEY UPDATE business_name = VALUES(business_name);

-- name: PutRedactedPhone :exec
INSERT INTO whatsmeow_contacts (our_jid, their_jid, redacted_phone)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_jid), sqlc.arg(redacted_phone))
ON DUPLICATE KEY UPDATE redacted_phone = VALUES(redacted_phone);

-- name: PutMutedUntil :exec
INSERT INTO whatsmeow_chat_settings (our_jid, chat_jid, muted_until)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_jid), sqlc.arg(muted_until))
ON DUPLICATE KEY UPDATE muted_until = VALUES(muted_until);

-- name: PutPinned :exec
INSERT INTO whatsmeow_chat_settings (our_jid, chat_jid, pinned)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_jid), sqlc.arg(pinned))
ON DUPLICATE KEY UPDATE pinned = VALUES(pinned);

-- name: PutArchived :exec
INSERT INTO whatsmeow_chat_settings (our_jid, chat_jid, archived)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_jid), sqlc.arg(archived))
ON DUPLICATE KEY UPDATE archived = VALUES(archived);

-- name: GetChatSettings :one
SELECT muted_until, pinned, archived FROM whatsmeow_chat_settings
WHERE our_jid = sqlc.arg(our_jid) AND chat_jid = sqlc.arg(chat_jid);

-- name: PutMessageSecret :exec
-- The first secret of a message stays (sqlstore: ON CONFLICT DO NOTHING); the no-op
-- update keeps foreign key errors, which INSERT IGNORE would turn into warnings.
INSERT INTO whatsmeow_message_secrets (our_jid, chat_jid, sender_jid, message_id, secret)
VALUES (sqlc.arg(our_jid), sqlc.arg(chat_jid), sqlc.arg(sender_jid), sqlc.arg(message_id), sqlc.arg(secret))
ON DUPLICATE KEY UPDATE secret = secret;

-- name: GetMessageSecret :one
-- The chat and the sender each come as the JID asked and its other form (phone
-- number or LID), either of which the secret may have been stored under.
SELECT secret, sender_jid FROM whatsmeow_message_secrets
WHERE our_jid = sqlc.arg(our_jid) AND chat_jid IN (sqlc.slice(chats)) AND sender_jid IN (sqlc.slice(senders))
    AND message_id = sqlc.arg(message_id)
LIMIT 1;

-- name: PutPrivacyToken :exec
-- An older token never replaces a newer one; token_timestamp is assigned last (MySQL
-- evaluates the assignments in order).
INSERT INTO whatsmeow_privacy_tokens (our_jid, their_jid, token, token_timestamp, sender_timestamp)
VALUES (sqlc.arg(our_jid), sqlc.arg(their_jid), sqlc.arg(token), sqlc.arg(token_timestamp), sqlc.narg(sender_timestamp))
ON DUPLICATE KEY UPDATE
    token = IF(VALUES(token_timestamp) >= token_timestamp, VALUES(token), token),
    sender_timestamp = IF(VALUES(token_timestamp) >= token_timestamp,
        COALESCE(VALUES(sender_timestamp), sender_timestamp), sender_timestamp),
    token_timestamp = GREATEST(VALUES(token_timestamp), token_timestamp);

-- name: GetPrivacyToken :one
SELECT token, token_timestamp, sender_timestamp FROM whatsmeow_privacy_tokens
WHERE our_jid = sqlc.arg(our_jid) AND their_jid IN (sqlc.slice(their_jids))
ORDER BY token_timestamp DESC LIMIT 1;

-- name: DeleteExpiredPrivacyTokens :execrows
DELETE FROM whatsmeow_privacy_tokens WHERE our_jid = sqlc.arg(our_jid) AND token_timestamp < sqlc.arg(cutoff);

-- name: PutNCTSalt :exec
INSERT INTO whatsmeow_nct_salt (our_jid, salt) VALUES (sqlc.arg(our_jid), sqlc.arg(salt))
ON DUPLICATE KEY UPDATE salt = VALUES(salt);

-- name: GetNCTSalt :one
SELECT salt FROM whatsmeow_nct_salt WHERE our_jid = sqlc.arg(our_jid);

-- name: DeleteNCTSalt :exec
DELETE FROM whatsmeow_nct_salt WHERE our_jid = sqlc.arg(our_jid);
