-- The state gauges of /metrics, read at scrape time (ports.StatsReader).

-- name: CountSessionsByStatus :many
SELECT status, COUNT(*) AS n FROM sessions GROUP BY status ORDER BY status;

-- name: QueuedMessagesBySession :many
SELECT session_id, COUNT(*) AS depth, CAST(MIN(created_at) AS timestamptz) AS oldest
FROM messages WHERE status = 'queued' GROUP BY session_id ORDER BY session_id;

-- name: CountParkedEvents :one
SELECT COUNT(*) FROM parked_events;

-- name: CountDeadDeliveries :one
SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead';

-- name: ListOutgrownTables :many
-- Tables of the list, in this schema, at least min_bytes large and more than twice
-- the size their statistics (the planner's) last said: those to analyze (analyze.go).
SELECT c.relname::text AS name FROM pg_catalog.pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
  AND c.relname = ANY(sqlc.arg(tables)::text[])
  AND pg_relation_size(c.oid) >= sqlc.arg(min_bytes)::bigint
  AND pg_relation_size(c.oid) > 2 * c.relpages::bigint * current_setting('block_size')::bigint;
