-- +goose Up
-- Session ids and usernames keep their case but are unique ignoring it. Rows that
-- already differ only in case would make the indexes fail with a bare constraint
-- error: refuse the upgrade naming them instead, so the operator can delete (or, for
-- users, rename) all but one of each group and start again.
-- +goose StatementBegin
DO $$
DECLARE
    clash TEXT;
BEGIN
    SELECT string_agg(ids, '; ') INTO clash
    FROM (SELECT string_agg(id, ', ' ORDER BY id) AS ids FROM sessions GROUP BY lower(id) HAVING count(*) > 1) g;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'migration 00012: session ids must be unique ignoring case; delete all but one of each group: %', clash;
    END IF;
    SELECT string_agg(names, '; ') INTO clash
    FROM (SELECT string_agg(username, ', ' ORDER BY username) AS names FROM users GROUP BY lower(username) HAVING count(*) > 1) g;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'migration 00012: usernames must be unique ignoring case; rename all but one of each group in the users table: %', clash;
    END IF;
END
$$;
-- +goose StatementEnd

CREATE UNIQUE INDEX sessions_id_lower_idx ON sessions (lower(id));
CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username));

-- +goose Down
DROP INDEX users_username_lower_idx;
DROP INDEX sessions_id_lower_idx;
