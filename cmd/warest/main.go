// Command warest is the WAREST gateway: the only composition root.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/store"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/system"
)

// version is set at build time with -ldflags "-X main.version=..." (make build).
var version = "0.1.0-dev"

func main() {
	if err := newCLI(os.Stdout).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "warest:", oneLine(err))
		os.Exit(1)
	}
}

// oneLine is what a failed start prints: the cause without fx's wiring trail, on
// one line whatever the log level.
func oneLine(err error) string {
	return strings.ReplaceAll(dig.RootCause(err).Error(), "\n", "; ")
}

// newCLI is the command tree; without a command the gateway serves.
func newCLI(out io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "warest",
		Short: "WAREST, the WhatsApp REST gateway",
		Long: "WAREST, the WhatsApp REST gateway. Settings come from the environment (and an optional .env file);\n" +
			"see the README. Without a command, warest serves.",
		Args:          cobra.NoArgs,
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE:          func(*cobra.Command, []string) error { return serve(out) },
	}
	root.SetOut(out)
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(
		&cobra.Command{Use: "serve", Short: "Run the gateway (the default)", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error { return serve(out) }},
		&cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
			Run: func(*cobra.Command, []string) { fmt.Fprintln(out, "warest", version) }},
		migrateCommand(out),
		sandboxCommand(out),
		usersCommand(out),
		keysCommand(out),
	)
	return root
}

// setup reads the environment (a .env file is optional; real variables win over
// it) and makes the logger every command logs with.
func setup() (Config, *slog.Logger, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, nil, fmt.Errorf(".env: %w", err)
	}
	cfg, err := loadConfig(os.LookupEnv)
	if err != nil {
		return Config{}, nil, err
	}
	log := newLogger(cfg, os.Stderr)
	slog.SetDefault(log)
	return cfg, log, nil
}

// serve runs the gateway until SIGINT or SIGTERM.
func serve(out io.Writer) error {
	cfg, log, err := setup()
	if err != nil {
		return err
	}
	if err := checkDefaultWebhook(context.Background(), cfg, system.Resolver{}); err != nil {
		return err
	}
	makePrivate(cfg, log)
	return runUntilSignal(cfg, log, options(cfg, log, out))
}

// runUntilSignal starts the app, waits for a signal, then stops it within
// cfg.ShutdownTimeout, saying what it did. A failed start is returned, not logged,
// so it is printed at any log level.
func runUntilSignal(cfg Config, log *slog.Logger, opts []fx.Option) error {
	app := fx.New(append(opts, fx.WithLogger(fxLogger(log)))...)
	if err := app.Err(); err != nil {
		return err
	}
	if err := app.Start(context.Background()); err != nil {
		return err
	}
	sig := <-app.Wait()
	log.Info("shutting down", "signal", sig.Signal.String(), "within", cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("shutdown complete")
	return nil
}

// runOnce starts the app, runs do and stops it: for the commands that use the
// store and exit.
func runOnce(log *slog.Logger, opts []fx.Option, do func() error) error {
	app := fx.New(append(opts, fx.WithLogger(fxLogger(log)))...)
	if err := app.Err(); err != nil {
		return err
	}
	if err := app.Start(context.Background()); err != nil {
		return err
	}
	err := do()
	return errors.Join(err, app.Stop(context.Background()))
}

// group is a command that only holds others: a missing or unknown one is an error.
func group(use, short string) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, RunE: func(c *cobra.Command, _ []string) error {
		var names []string
		for _, sub := range c.Commands() {
			names = append(names, sub.Name())
		}
		return fmt.Errorf("%s needs a command: %s", c.CommandPath(), strings.Join(names, ", "))
	}}
}

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
	if cfg.DBClient == "postgres" {
		list, err = postgres.Migrations(ctx, postgres.Config{URL: cfg.PostgresURL})
	} else {
		list, err = sqlite.Migrations(ctx, sqlite.Config{Path: cfg.SQLitePath, BusyTimeout: cfg.SQLiteBusyTimeout})
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
