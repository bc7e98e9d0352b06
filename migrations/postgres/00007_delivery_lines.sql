-- +goose Up
-- ClaimDue walks the lines of pending deliveries (session, subscription, URL) in
-- this index, one probe per line, and reads a line's run from it in creation order;
-- the index of 00003 left it scanning every pending row on each claim.
DROP INDEX webhook_deliveries_line_idx;
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (session_id, subscription_id, url, seq)
    WHERE status = 'pending';

-- +goose Down
DROP INDEX webhook_deliveries_pending_idx;
CREATE INDEX webhook_deliveries_line_idx ON webhook_deliveries (session_id, subscription_id, status);
