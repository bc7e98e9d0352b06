// Package restart restarts the gateway on request: after a delay, or every day
// at a set time. When a restart is due, cmd/warest stops the app (the workers
// drain, the HTTP server closes, the store is closed) and then calls Restart:
// the binary is executed again in place (same pid, arguments and environment),
// or the process exits for its supervisor (Docker, systemd, pm2) to start again.
package restart

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// The strategies of Config.Mode.
const (
	ModeExec = "exec" // re-execute the binary in place
	ModeExit = "exit" // exit with ExitCode; the supervisor starts the gateway again
)

// Config says how to restart and where the daily schedule is kept.
type Config struct {
	Mode     string         // ModeExec (default) or ModeExit
	ExitCode int            // the exit status of ModeExit
	File     string         // the daily schedule, as JSON (WAREST: data/restart-schedule.json)
	Location *time.Location // a schedule's time zone when it names none; nil: UTC
}

// Restarter decides when the process restarts and restarts it.
type Restarter struct {
	cfg Config
	log *slog.Logger
	due chan string // the reason of the restart that is due

	mu      sync.Mutex
	pending time.Time   // when the requested restart is due; zero: none
	timer   *time.Timer // of the requested restart
	daily   *Daily
	dtimer  *time.Timer // of the daily restart
	stopped bool
}

// Daily is the stored daily schedule.
type Daily struct {
	At       string `json:"schedule"` // HH:MM, 24-hour
	Timezone string `json:"timezone"` // IANA name
}

// New loads the daily schedule, if one is stored, and arms it.
func New(cfg Config, log *slog.Logger) (*Restarter, error) {
	if cfg.Mode == "" {
		cfg.Mode = ModeExec
	}
	if cfg.Mode != ModeExec && cfg.Mode != ModeExit {
		return nil, fmt.Errorf("restart mode %q: want %s or %s", cfg.Mode, ModeExec, ModeExit)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	r := &Restarter{cfg: cfg, log: log, due: make(chan string, 1)}
	raw, err := os.ReadFile(cfg.File)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restart schedule: %w", err)
	}
	var d Daily
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("restart schedule %s: %w", cfg.File, err)
	}
	if _, _, err := r.ScheduleDaily(d.At, d.Timezone); err != nil {
		return nil, fmt.Errorf("restart schedule %s: %w", cfg.File, err)
	}
	return r, nil
}

// Strategy names how the process restarts: exec or exit.
func (r *Restarter) Strategy() string { return r.cfg.Mode }

// Due delivers the reason of a restart once it is due.
func (r *Restarter) Due() <-chan string { return r.due }

// Request asks for a restart after delay. While one is pending, a new request
// changes nothing: it reports the pending one with started false.
func (r *Restarter) Request(delay time.Duration, reason string) (at time.Time, started bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.pending.IsZero() || r.stopped {
		return r.pending, false
	}
	r.pending = time.Now().Add(delay)
	r.timer = time.AfterFunc(delay, func() { r.fire(reason) })
	r.log.Info("restart scheduled", "at", r.pending, "reason", reason, "strategy", r.cfg.Mode)
	return r.pending, true
}

func (r *Restarter) fire(reason string) {
	select {
	case r.due <- reason:
	default: // one restart is enough
	}
}

// ScheduleDaily restarts the gateway every day at clock (HH:MM) in the named
// time zone (empty: the configured one), persists the schedule and returns the
// next restart. Clock "0" clears the schedule and returns the zero time.
func (r *Restarter) ScheduleDaily(clock, timezone string) (next time.Time, zone string, err error) {
	if clock == "0" {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stopDaily()
		r.daily = nil
		if err := os.Remove(r.cfg.File); err != nil && !errors.Is(err, os.ErrNotExist) {
			return time.Time{}, "", err
		}
		return time.Time{}, "", nil
	}
	hh, mm, ok := parseClock(clock)
	if !ok {
		return time.Time{}, "", fault.Invalid(fault.ReasonInvalidParameter, "schedule must be HH:MM (24-hour) or \"0\", got %q", clock)
	}
	loc := r.cfg.Location
	if timezone != "" {
		if loc, err = time.LoadLocation(timezone); err != nil {
			return time.Time{}, "", fault.Invalid(fault.ReasonInvalidParameter, "unknown timezone %q", timezone)
		}
	}
	d := Daily{At: fmt.Sprintf("%02d:%02d", hh, mm), Timezone: loc.String()}
	raw, _ := json.Marshal(d)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.WriteFile(r.cfg.File, raw, 0o600); err != nil {
		return time.Time{}, "", fmt.Errorf("restart schedule: %w", err)
	}
	r.stopDaily()
	r.daily = &d
	next = nextAt(time.Now(), hh, mm, loc)
	if !r.stopped {
		r.dtimer = time.AfterFunc(time.Until(next), func() { r.fire("daily restart at " + d.At + " " + d.Timezone) })
	}
	return next, d.Timezone, nil
}

func (r *Restarter) stopDaily() {
	if r.dtimer != nil {
		r.dtimer.Stop()
		r.dtimer = nil
	}
}

// Stop disarms the timers (the app is stopping).
func (r *Restarter) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.stopDaily()
	if r.timer != nil {
		r.timer.Stop()
	}
}

// Restart replaces the process by a fresh run of the same binary, or exits for
// the supervisor. Call it once the app has stopped; it returns only on failure.
func (r *Restarter) Restart() error {
	if r.cfg.Mode == ModeExit {
		os.Exit(r.cfg.ExitCode)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return fmt.Errorf("restart: %w", syscall.Exec(exe, os.Args, os.Environ()))
}

// parseClock reads a 24-hour HH:MM.
func parseClock(s string) (hh, mm int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// nextAt is the first hh:mm in loc after now.
func nextAt(now time.Time, hh, mm int, loc *time.Location) time.Time {
	local := now.In(loc)
	next := time.Date(local.Year(), local.Month(), local.Day(), hh, mm, 0, 0, loc)
	if !next.After(now) {
		next = time.Date(local.Year(), local.Month(), local.Day()+1, hh, mm, 0, 0, loc)
	}
	return next
}
