-- +goose Up
-- position is the replay cursor. seq is taken at INSERT, but concurrent transactions
-- commit out of seq order, so a reader paging by seq can pass an event that commits
-- later and never see it. The one leading relay assigns position when it publishes,
-- so positions become visible in order; replay pages by position over published rows.
ALTER TABLE events ADD COLUMN position BIGINT;
-- Cursors handed out so far were seqs, of published and unpublished rows alike:
-- published rows keep theirs, and unpublished rows hold theirs as a floor (publishing
-- gives them a new one) so that every new position is above any such cursor.
UPDATE events SET position = seq;
CREATE UNIQUE INDEX events_position_idx ON events (position);

-- +goose Down
DROP INDEX events_position_idx;
ALTER TABLE events DROP COLUMN position;
