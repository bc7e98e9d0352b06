-- +goose Up
-- Session ids and usernames keep their case but are unique ignoring it. Rows that
-- already differ only in case would make the indexes fail with a bare constraint
-- error: refuse the upgrade naming them instead, so the operator can delete (or, for
-- users, rename) all but one of each group and start again.
-- SQLite raises no error with a computed message in a form sqlc parses (RAISE takes
-- a literal), but json_extract reports a bad path verbatim: a message used as the
-- path stops the migration with "bad JSON path: '<message>'".
SELECT json_extract('{}', msg)
FROM (SELECT 'migration 00012: session ids must be unique ignoring case; delete all but one of each group: '
                 || group_concat(ids, '; ') AS msg
      FROM (SELECT group_concat(id, ', ') AS ids FROM (SELECT id FROM sessions ORDER BY id)
            GROUP BY lower(id) HAVING count(*) > 1))
WHERE msg IS NOT NULL;
SELECT json_extract('{}', msg)
FROM (SELECT 'migration 00012: usernames must be unique ignoring case; rename all but one of each group in the users table: '
                 || group_concat(names, '; ') AS msg
      FROM (SELECT group_concat(username, ', ') AS names FROM (SELECT username FROM users ORDER BY username)
            GROUP BY lower(username) HAVING count(*) > 1))
WHERE msg IS NOT NULL;

CREATE UNIQUE INDEX sessions_id_lower_idx ON sessions (lower(id));
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username));

-- +goose Down
DROP INDEX users_username_lower_idx;
DROP INDEX sessions_id_lower_idx;
