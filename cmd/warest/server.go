package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/hoststats"
	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/restart"
)

// Restart is how the gateway restarts (POST /server/restart, the daily schedule).
type Restart struct {
	Mode     string // exec | exit
	ExitCode int
}

// loadRestart reads WAREST_RESTART_MODE and WAREST_RESTART_EXIT_CODE (ours). Unset,
// WAREST's WAREST_RUNTIME / WAREST_PROCESS_MANAGER decide as WAREST does: docker
// exits 1 and pm2 exits 0 for the supervisor to start the gateway again; anything
// else re-executes the binary in place.
func loadRestart(e env) (Restart, error) {
	r := Restart{Mode: restart.ModeExec, ExitCode: 1}
	switch strings.ToLower(e.str("", "WAREST_RUNTIME", "WAREST_PROCESS_MANAGER")) {
	case "docker":
		r.Mode = restart.ModeExit
	case "pm2":
		r.Mode, r.ExitCode = restart.ModeExit, 0
	}
	r.Mode = strings.ToLower(e.str(r.Mode, "WAREST_RESTART_MODE"))
	if r.Mode != restart.ModeExec && r.Mode != restart.ModeExit {
		return r, fmt.Errorf("WAREST_RESTART_MODE must be %s or %s, got %q", restart.ModeExec, restart.ModeExit, r.Mode)
	}
	code, err := e.num(r.ExitCode, "WAREST_RESTART_EXIT_CODE")
	if err == nil && code > 125 {
		err = fmt.Errorf("WAREST_RESTART_EXIT_CODE must be at most 125, got %d", code)
	}
	r.ExitCode = code
	return r, err
}

// serverOptions wires the host sampler and the restarter behind /server/*.
func serverOptions() fx.Option {
	return fx.Options(
		hoststats.Module,
		restart.Module,
		fx.Provide(
			func(c Config) hoststats.Config { return hoststats.Config{DataDir: c.DataDir} },
			func(c Config, log *slog.Logger) restart.Config {
				loc, err := time.LoadLocation(c.Timezone)
				if err != nil {
					log.Warn("unknown timezone, restart schedules use UTC", "timezone", c.Timezone)
					loc = time.UTC
				}
				return restart.Config{Mode: c.Restart.Mode, ExitCode: c.Restart.ExitCode, Location: loc,
					File: filepath.Join(c.DataDir, "restart-schedule.json")}
			},
			func(r *restart.Restarter) httpapi.Restarter { return r },
			func(r *restart.Restarter) restarts { return r },
		),
	)
}

// restarts is what runUntilSignal needs of the restarter; nil for processes that
// never restart (the sandbox server).
type restarts interface {
	Due() <-chan string
	Strategy() string
	Restart() error
}
