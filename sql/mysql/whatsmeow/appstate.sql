-- whatsmeow's app state: sync keys, collection versions and mutation MACs.

-- name: PutAppStateSyncKey :exec
-- A key is replaced only by a newer one; key_timestamp is assigned last because MySQL
-- evaluates the assignments in order, each seeing the ones before.
INSERT INTO whatsmeow_app_state_sync_keys (jid, key_id, key_data, key_timestamp, fingerprint)
VALUES (sqlc.arg(jid), sqlc.arg(key_id), sqlc.arg(key_data), sqlc.arg(key_timestamp), sqlc.arg(fingerprint))
ON DUPLICATE KEY UPDATE
    key_data = IF(VALUES(key_timestamp) > key_timestamp, VALUES(key_data), key_data),
    fingerprint = IF(VALUES(key_timestamp) > key_timestamp, VALUES(fingerprint), fingerprint),
    key_timestamp = GREATEST(VALUES(key_timestamp), key_timestamp);

-- name: GetAppStateSyncKey :one
SELECT key_data, key_timestamp, fingerprint FROM whatsmeow_app_state_sync_keys
WHERE jid = sqlc.arg(jid) AND key_id = sqlc.arg(key_id);

-- name: GetAllAppStateSyncKeys :many
SELECT key_data, key_timestamp, fingerprint FROM whatsmeow_app_state_sync_keys
WHERE jid = sqlc.arg(jid) ORDER BY key_timestamp DESC;

-- name: GetLatestAppStateSyncKeyID :one
SELECT key_id FROM whatsmeow_app_state_sync_keys WHERE jid = sqlc.arg(jid) ORDER BY key_timestamp DESC LIMIT 1;

-- name: PutAppStateVersion :exec
INSERT INTO whatsmeow_app_state_version (jid, name, version, hash)
VALUES (sqlc.arg(jid), sqlc.arg(name), sqlc.arg(version), sqlc.arg(hash))
ON DUPLICATE KEY UPDATE version = VALUES(version), hash = VALUES(hash);

-- name: GetAppStateVersion :one
SELECT version, hash FROM whatsmeow_app_state_version WHERE jid = sqlc.arg(jid) AND name = sqlc.arg(name);

-- name: DeleteAppStateVersion :exec
DELETE FROM whatsmeow_app_state_version WHERE jid = sqlc.arg(jid) AND name = sqlc.arg(name);

-- name: PutAppStateMutationMAC :exec
INSERT INTO whatsmeow_app_state_mutation_macs (jid, name, version, index_mac, value_mac)
VALUES (sqlc.arg(jid), sqlc.arg(name), sqlc.arg(version), sqlc.arg(index_mac), sqlc.arg(value_mac));

-- name: DeleteAppStateMutationMACs :exec
DELETE FROM whatsmeow_app_state_mutation_macs
WHERE jid = sqlc.arg(jid) AND name = sqlc.arg(name) AND index_mac IN (sqlc.slice(index_macs));

-- name: GetAppStateMutationMAC :one
SELECT value_mac FROM whatsmeow_app_state_mutation_macs
WHERE jid = sqlc.arg(jid) AND name = sqlc.arg(name) AND index_mac = sqlc.arg(index_mac)
ORDER BY version DESC LIMIT 1;
