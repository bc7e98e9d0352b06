-- The state gauges of /metrics, read at scrape time (ports.StatsReader).

-- name: CountSessionsByStatus :many
SELECT status, COUNT(*) AS n FROM sessions GROUP BY status ORDER BY status;

-- name: QueuedMessagesBySession :many
SELECT session_id, COUNT(*) AS depth, MIN(created_at) AS oldest
FROM messages WHERE status = 'queued' GROUP BY session_id ORDER BY session_id;

-- name: CountParkedEvents :one
SELECT COUNT(*) FROM parked_events;

-- name: CountDeadDeliveries :one
SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead';
