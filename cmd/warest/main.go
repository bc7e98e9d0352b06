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

	"github.com/joho/godotenv"
	"github.com/spf13/cobra"
	"go.uber.org/dig"
	"go.uber.org/fx"

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
	var r restarts
	return runUntilSignal(cfg, log, append(options(cfg, log, out), fx.Populate(&r)), &r)
}

// runUntilSignal starts the app, waits for a signal (or, when r is given, a due
// restart), then stops it within cfg.ShutdownTimeout, saying what it did. A
// restart happens once the app has stopped: the workers drained, the store
// closed. A failed start is returned, not logged, so it is printed at any log
// level.
func runUntilSignal(cfg Config, log *slog.Logger, opts []fx.Option, r *restarts) error {
	app := fx.New(append(opts, fx.WithLogger(fxLogger(log)))...)
	if err := app.Err(); err != nil {
		return err
	}
	// Signals are caught before the start hooks run: the HTTP server listens from its
	// hook on, and a SIGTERM before the later hooks ended killed the process outright.
	signals := app.Wait()
	if err := start(app); err != nil {
		return err
	}
	var due <-chan string
	if r != nil && *r != nil {
		due = (*r).Due()
	}
	restarting := false
	select {
	case sig := <-signals:
		log.Info("shutting down", "signal", sig.Signal, "within", cfg.ShutdownTimeout)
	case reason := <-due:
		restarting = true
		log.Info("restarting", "reason", reason, "strategy", (*r).Strategy(), "within", cfg.ShutdownTimeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		if !restarting {
			return fmt.Errorf("shutdown: %w", err)
		}
		// What did not drain is in the store, which a restart resumes from.
		log.Warn("restarting before everything stopped", "err", err)
	}
	if restarting {
		log.Info("shutdown complete, restarting", "strategy", (*r).Strategy())
		return (*r).Restart()
	}
	log.Info("shutdown complete")
	return nil
}

// start runs the app's start hooks within fx's start timeout.
func start(app *fx.App) error {
	ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	return app.Start(ctx)
}

// runOnce starts the app, runs do and stops it: for the commands that use the
// store and exit.
func runOnce(log *slog.Logger, opts []fx.Option, do func() error) error {
	app := fx.New(append(opts, fx.WithLogger(fxLogger(log)))...)
	if err := app.Err(); err != nil {
		return err
	}
	if err := start(app); err != nil {
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
