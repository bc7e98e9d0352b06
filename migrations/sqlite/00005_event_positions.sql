-- +goose Up
-- position is the replay cursor, assigned by the relay when it publishes (the
-- PostgreSQL migration says why seq cannot be; SQLite keeps the schemas alike).
ALTER TABLE events ADD COLUMN position INTEGER;
-- Cursors handed out so far were seqs, of published and unpublished rows alike:
-- published rows keep theirs, and unpublished rows hold theirs as a floor (publishing
-- gives them a new one) so that every new position is above any such cursor.
UPDATE events SET position = seq;
CREATE UNIQUE INDEX events_position_idx ON events (position);

-- +goose Down
DROP INDEX events_position_idx;
ALTER TABLE events DROP COLUMN position;
