// Package migrations embeds the goose SQL migrations of each dialect.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

//go:embed postgres/*.sql
var postgresFiles embed.FS

//go:embed mysql/*.sql
var mysqlFiles embed.FS

// SQLite, Postgres and MySQL hold the migrations at their root, as goose.NewProvider expects.
var (
	SQLite   = mustSub(sqliteFiles, "sqlite")
	Postgres = mustSub(postgresFiles, "postgres")
	MySQL    = mustSub(mysqlFiles, "mysql")
)

func mustSub(f embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a literal embedded above
	}
	return sub
}
