package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
)

// migrateCommand is `warest migrate up|status`.
func migrateCommand(out io.Writer) *cobra.Command {
	cmd := group("migrate", "Database migrations")
	cmd.AddCommand(&cobra.Command{Use: "up", Short: "Apply the embedded migrations and exit", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, log, err := setup()
			if err != nil {
				return err
			}
			// Opening the store applies the embedded migrations; nothing else starts.
			opts := append(storeOptions(cfg), fx.Supply(log), fx.Invoke(func(storeReady) {}))
			return runOnce(log, opts, func() error {
				fmt.Fprintln(out, "migrations applied")
				return nil
			})
		}},
		&cobra.Command{Use: "status", Short: "List the embedded migrations and which the database has", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				cfg, _, err := setup()
				if err != nil {
					return err
				}
				return printMigrations(out, cfg)
			}})
	return cmd
}

// printMigrations is `warest migrate status`: one line per embedded migration.
func printMigrations(out io.Writer, cfg Config) error {
	ctx := context.Background()
	var list []store.Migration
	var err error
	switch cfg.DBClient {
	case "postgres":
		list, err = postgres.Migrations(ctx, postgres.Config{URL: cfg.PostgresURL})
	case "mysql":
		list, err = mysql.Migrations(ctx, mysql.Config{DSN: cfg.MySQLDSN})
	default:
		list, err = sqlite.Migrations(ctx, sqlite.Config{Path: cfg.SQLitePath, BusyTimeout: cfg.SQLiteBusyTimeout, Synchronous: cfg.SQLiteSynchronous})
	}
	if err != nil {
		return err
	}
	pending := 0
	for _, m := range list {
		state := "pending"
		if m.AppliedAt != nil {
			state = "applied " + m.AppliedAt.Format(time.RFC3339)
		} else {
			pending++
		}
		fmt.Fprintf(out, "%05d  %-28s  %s\n", m.Version, state, m.Name)
	}
	fmt.Fprintf(out, "%d migrations, %d pending\n", len(list), pending)
	return nil
}
