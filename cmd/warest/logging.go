package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"go.uber.org/fx/fxevent"
)

// logLevel reads LOG_LEVEL; an unknown level is a configuration error rather than
// a silent fallback, so a typo cannot hide the logs an operator asked for.
func logLevel(name string) (slog.Level, error) {
	var l slog.Level
	if name == "warning" {
		name = "warn"
	}
	if err := l.UnmarshalText([]byte(name)); err != nil {
		return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", name)
	}
	return l, nil
}

// newLogger writes text or JSON lines (LOG_FORMAT) at the configured level;
// loadConfig has validated both.
func newLogger(c Config, w io.Writer) *slog.Logger {
	level, _ := logLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
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
