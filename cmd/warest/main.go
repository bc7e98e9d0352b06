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
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/warest-go/warest/adapters/system"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "warest:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	// A .env file is optional; real environment variables win over it.
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf(".env: %w", err)
	}
	cfg, err := loadConfig(os.LookupEnv)
	if err != nil {
		return err
	}
	if err := checkDefaultWebhook(context.Background(), cfg, system.Resolver{}); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, os.Stderr)
	slog.SetDefault(log)

	if len(args) > 0 && args[0] == "sandbox" {
		return runSandbox(cfg, log, args[1:], out)
	}
	makePrivate(cfg, log)
	opts := options(cfg, log, out)
	if len(args) > 0 {
		switch strings.Join(args, " ") {
		case "migrate", "migrate up":
			// Opening the store applies the embedded migrations; nothing else starts.
			opts = append(storeOptions(cfg), fx.Supply(log), fx.Invoke(func(storeReady) {}))
		default:
			return fmt.Errorf("unknown command %q (usage: warest [migrate up])", strings.Join(args, " "))
		}
	}
	app := fx.New(append(opts, fx.WithLogger(fxLogger(log)))...)
	if err := app.Err(); err != nil {
		return err
	}
	if len(args) > 0 {
		if err := app.Start(context.Background()); err != nil {
			return err
		}
		fmt.Fprintln(out, "migrations applied")
		return app.Stop(context.Background())
	}
	app.Run()
	return nil
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// fxLogger shows fx's wiring chatter only at debug level.
func fxLogger(log *slog.Logger) func() fxevent.Logger {
	return func() fxevent.Logger {
		if log.Enabled(context.Background(), slog.LevelDebug) {
			return &fxevent.SlogLogger{Logger: log}
		}
		return fxevent.NopLogger
	}
}
