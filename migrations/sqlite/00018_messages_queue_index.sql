-- +goose Up
-- The send queue reads only queued messages, by session in arrival order: one partial
-- index on session_id (its entries end with the rowid, the arrival order) serves the
-- queue, the queued-sessions scan and the stats. The full (session_id, status) index
-- cost every send an index insert, and every status change (sent, delivered, read) a
-- delete and an insert, for no read that needed it.
DROP INDEX messages_queue_idx;
DROP INDEX messages_queued_sessions_idx;
CREATE INDEX messages_queue_idx ON messages (session_id) WHERE status = 'queued';

-- +goose Down
DROP INDEX messages_queue_idx;
CREATE INDEX messages_queue_idx ON messages (session_id, status);
CREATE INDEX messages_queued_sessions_idx ON messages (session_id) WHERE status = 'queued';
