package httpapi

import (
	"context"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// Restarter restarts the process (adapters/restart): after a delay, or daily.
type Restarter interface {
	// Request asks for a restart after delay; while one is pending it reports that
	// one with started false.
	Request(delay time.Duration, reason string) (at time.Time, started bool)
	// ScheduleDaily restarts every day at clock (HH:MM) in timezone (empty: the
	// configured one); clock "0" clears it and returns the zero time.
	ScheduleDaily(clock, timezone string) (next time.Time, zone string, err error)
	// Strategy names how the process restarts (exec or exit).
	Strategy() string
}

func (h *handlers) registerServerOps() {
	const tag = "Server"
	register(h, route{id: "getServerCpuHistory", method: http.MethodGet, path: "/api/v1/server/cpu-history", tag: tag,
		summary:     "Get CPU history (admin)",
		description: "The host's CPU usage, sampled every 15 s and kept in memory for 30 days (so never beyond the uptime), averaged per interval.",
		access:      accessAdmin}, h.cpuHistory)
	register(h, route{id: "postServerRestart", method: http.MethodPost, path: "/api/v1/server/restart", tag: tag,
		summary: "Restart the server (admin)",
		description: "After the delay the gateway stops as on SIGTERM (the workers drain, nothing queued is lost), then runs its " +
			"binary again in place, or exits for its supervisor (WAREST_RESTART_MODE). Answers 202 with code 1003, or 200 with " +
			"1005 while a restart is already pending.",
		access: accessAdmin, status: http.StatusAccepted, also: []int{http.StatusOK}}, h.restart)
	register(h, route{id: "postServerRestartScheduled", method: http.MethodPost, path: "/api/v1/server/restart/scheduled", tag: tag,
		summary:     "Schedule a daily restart (admin)",
		description: "Restarts every day at `schedule` (HH:MM) in `timezone`; \"0\" cancels. The schedule is kept in the data directory (restart-schedule.json) and survives restarts.",
		access:      accessAdmin}, h.scheduleRestart)
}

type cpuHistoryInput struct {
	Period   string `query:"period" enum:"1h,6h,12h,24h,7d,30d" default:"1h" doc:"time window"`
	Interval string `query:"interval" enum:"1m,5m,15m,30m,1h" default:"5m" doc:"length of each averaged point"`
}

type cpuPoint struct {
	Timestamp    int64   `json:"timestamp" doc:"unix seconds of the interval's start"`
	UsagePercent float64 `json:"usagePercent"`
}

type cpuHistoryResult struct {
	Period              string     `json:"period"`
	Interval            string     `json:"interval"`
	Data                []cpuPoint `json:"data"`
	AverageUsagePercent float64    `json:"averageUsagePercent"`
	MaxUsagePercent     float64    `json:"maxUsagePercent"`
	Timestamp           int64      `json:"timestamp"`
}

// cpuHistorySpans are the lengths cpu-history's enums name.
var cpuHistorySpans = map[string]time.Duration{"1m": time.Minute, "5m": 5 * time.Minute, "15m": 15 * time.Minute,
	"30m": 30 * time.Minute, "1h": time.Hour, "6h": 6 * time.Hour, "12h": 12 * time.Hour, "24h": 24 * time.Hour,
	"7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}

func (h *handlers) cpuHistory(_ context.Context, in *cpuHistoryInput) (*Response[cpuHistoryResult], error) {
	now := time.Now()
	res := cpuHistoryResult{Period: in.Period, Interval: in.Interval, Data: []cpuPoint{}, Timestamp: now.Unix()}
	if h.host != nil {
		var sum float64
		for _, p := range h.host.CPUHistory(now.Add(-cpuHistorySpans[in.Period]), cpuHistorySpans[in.Interval]) {
			res.Data = append(res.Data, cpuPoint{Timestamp: p.At.Unix(), UsagePercent: round2(p.UsagePercent)})
			sum += p.UsagePercent
			res.MaxUsagePercent = math.Max(res.MaxUsagePercent, round2(p.UsagePercent))
		}
		if len(res.Data) > 0 {
			res.AverageUsagePercent = round2(sum / float64(len(res.Data)))
		}
	}
	return success("CPU history fetched", res), nil
}

// WAREST's restart delay: 4 s unless given, within 1.5 s and 30 min.
const (
	defaultRestartDelay = 4 * time.Second
	minRestartDelay     = 1500 * time.Millisecond
	maxRestartDelay     = 30 * time.Minute
)

type restartInput struct {
	Body *struct {
		DelaySeconds *float64 `json:"delaySeconds,omitempty" minimum:"0" doc:"grace before the restart; default 4, at least 1.5, at most 1800"`
		Reason       string   `json:"reason,omitempty" maxLength:"500" doc:"logged with the restart"`
	}
}

type restartResult struct {
	RestartInitiated bool   `json:"restartInitiated" doc:"false: a restart was already pending, and this one changed nothing"`
	ScheduledAt      string `json:"scheduledAt" doc:"when the pending restart happens (UTC, ISO 8601)"`
	RestartStrategy  string `json:"restartStrategy" enum:"exec,exit"`
	Timestamp        int64  `json:"timestamp"`
}

func (h *handlers) restart(ctx context.Context, in *restartInput) (*Response[restartResult], error) {
	if h.restarter == nil {
		return nil, fault.New(fault.KindUnavailable, "", "this server cannot restart itself")
	}
	delay, reason := defaultRestartDelay, "requested through the API"
	if in.Body != nil {
		if in.Body.DelaySeconds != nil {
			delay = time.Duration(*in.Body.DelaySeconds * float64(time.Second))
		}
		if r := strings.TrimSpace(in.Body.Reason); r != "" {
			reason = r
		}
	}
	delay = min(max(delay, minRestartDelay), maxRestartDelay)
	at, started := h.restarter.Request(delay, reason)
	loggerFrom(ctx).InfoContext(ctx, "restart requested", "by", principal(ctx).User.Username, "reason", reason, "started", started)
	res := restartResult{RestartInitiated: started, ScheduledAt: at.UTC().Format(isoMillis), RestartStrategy: h.restarter.Strategy(),
		Timestamp: time.Now().Unix()}
	if !started {
		return reply(http.StatusOK, codeNoop, "A restart is already pending", res), nil
	}
	return reply(http.StatusAccepted, codeScheduled, "Restart scheduled via "+res.RestartStrategy+" strategy", res), nil
}

// isoMillis is JavaScript's toISOString layout, which WAREST's clients parse.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

type scheduleRestartInput struct {
	Body struct {
		Schedule string `json:"schedule" doc:"HH:MM (24-hour), or \"0\" to cancel"`
		Timezone string `json:"timezone,omitempty" doc:"IANA time zone; default WAREST_TIMEZONE"`
	}
}

type scheduleResult struct {
	ScheduledRestart string `json:"scheduledRestart" example:"02:30"`
	Timezone         string `json:"timezone" example:"Asia/Jakarta"`
	NextRestartAt    string `json:"nextRestartAt" example:"2024-05-02T02:30:00.000+07:00"`
	Timestamp        int64  `json:"timestamp"`
}

// scheduleRestart answers the schedule, or no results once it is cancelled (the
// reference says "null when cleared", but its envelope allows no null result).
func (h *handlers) scheduleRestart(_ context.Context, in *scheduleRestartInput) (*Response[scheduleResult], error) {
	if h.restarter == nil {
		return nil, fault.New(fault.KindUnavailable, "", "this server cannot restart itself")
	}
	clock := strings.TrimSpace(in.Body.Schedule)
	if clock == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "schedule is required (HH:MM, or \"0\" to cancel)")
	}
	next, zone, err := h.restarter.ScheduleDaily(clock, strings.TrimSpace(in.Body.Timezone))
	if err != nil {
		return nil, err
	}
	if next.IsZero() {
		return success[scheduleResult]("Scheduled restart cancelled"), nil
	}
	loc, _ := time.LoadLocation(zone)
	local := next.In(loc)
	return success("Restart scheduled daily at "+local.Format("15:04")+" ("+zone+")", scheduleResult{
		ScheduledRestart: local.Format("15:04"), Timezone: zone, NextRestartAt: local.Format(isoMillis), Timestamp: time.Now().Unix()}), nil
}
