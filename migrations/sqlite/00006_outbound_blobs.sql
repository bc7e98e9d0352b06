-- +goose Up
-- blob_key is the outbound blob a message's content carries (Content.BlobKey),
-- copied out of the JSON so the retention sweeper finds spent blobs by index;
-- blob_deleted records that the sweeper deleted it. Every message sharing a key
-- (the recipients of one request) is marked together.
ALTER TABLE messages ADD COLUMN blob_key TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN blob_deleted BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE messages
SET blob_key = COALESCE(json_extract(content, '$.media.blobKey'), json_extract(content, '$.buttons.image.blobKey'),
                        json_extract(content, '$.list.image.blobKey'), '')
WHERE content LIKE '%"blobKey"%';
-- Only blobs still on disk are indexed, so a sweep does not grow with history.
CREATE INDEX messages_blob_idx ON messages (blob_key) WHERE blob_key <> '' AND NOT blob_deleted;

-- +goose Down
DROP INDEX messages_blob_idx;
ALTER TABLE messages DROP COLUMN blob_deleted;
ALTER TABLE messages DROP COLUMN blob_key;
