-- +goose Up
-- A lookup of one message (its session and id) must take the primary key. PostgreSQL
-- plans a prepared statement once for every value (a generic plan), and on a table
-- still small and never analyzed it found (session_id, status, seq) as cheap as the key
-- for session_id = $1 AND id = $2: every update of a message then read all of its
-- session's messages (measured: 1-2.5 ms a statement at 2,500 messages). Only the send
-- queue needs that index, and only for queued messages, so it becomes partial, which
-- a lookup by key cannot use; it also serves the queued-sessions scan, whose own index
-- goes.
DROP INDEX messages_queue_idx;
DROP INDEX messages_queued_sessions_idx;
CREATE INDEX messages_queue_idx ON messages (session_id, seq) WHERE status = 'queued';

-- +goose Down
DROP INDEX messages_queue_idx;
CREATE INDEX messages_queue_idx ON messages (session_id, status, seq);
CREATE INDEX messages_queued_sessions_idx ON messages (session_id) WHERE status = 'queued';
