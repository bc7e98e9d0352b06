package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// The restart answers 202 with code 1003 (WAREST's SCHEDULED); healthz answers 207
// when only the blob store or ffmpeg fails. The reference declares only 200.
func init() {
	for _, p := range []string{"/api/v1/server/cpu-history", "/api/v1/server/restart", "/api/v1/server/restart/scheduled"} {
		implemented[p] = true
	}
	undocumentedStatuses["POST /api/v1/server/restart"] = []string{"202"}
	undocumentedStatuses["GET /api/v1/server/healthz"] = append(undocumentedStatuses["GET /api/v1/server/healthz"], "207")
}

// fakeRestarter records what the API asked of it.
type fakeRestarter struct {
	mu        sync.Mutex
	requests  []restartRequest
	pending   time.Time
	schedules []string // "clock timezone"
}

type restartRequest struct {
	delay  time.Duration
	reason string
}

func (f *fakeRestarter) Request(delay time.Duration, reason string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, restartRequest{delay, reason})
	if !f.pending.IsZero() {
		return f.pending, false
	}
	f.pending = time.Now().Add(delay)
	return f.pending, true
}

func (f *fakeRestarter) ScheduleDaily(clock, timezone string) (time.Time, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.schedules = append(f.schedules, clock+" "+timezone)
	if clock == "0" {
		return time.Time{}, "", nil
	}
	at, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, "", fault.Invalid(fault.ReasonInvalidParameter, "schedule must be HH:MM")
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return time.Time{}, "", fault.Invalid(fault.ReasonInvalidParameter, "unknown timezone")
	}
	return time.Date(2030, 1, 2, at.Hour(), at.Minute(), 0, 0, loc), loc.String(), nil
}

func (f *fakeRestarter) Strategy() string { return "exec" }

// fakeHost answers fixed figures and records the history asked for.
type fakeHost struct {
	mu     sync.Mutex
	points []ports.CPUPoint
	asked  []time.Duration // the steps
	since  []time.Time
}

func (f *fakeHost) CPUUsage() (float64, bool) { return 12.345, true }

func (f *fakeHost) CPUHistory(since time.Time, step time.Duration) []ports.CPUPoint {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked, f.since = append(f.asked, step), append(f.since, since)
	return f.points
}

func (f *fakeHost) Disk(context.Context) (ports.DiskUsage, error) {
	return ports.DiskUsage{Path: "/data", Mount: "/", FSType: "ext4", Total: 100 << 20, Free: 75 << 20, Used: 25 << 20, UsedPercent: 25}, nil
}

func TestServerOperationsMatchTheReference(t *testing.T) {
	t.Parallel()
	router := loadReference(t)
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	base := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	a.host.points = []ports.CPUPoint{{At: base, UsagePercent: 20}, {At: base.Add(5 * time.Minute), UsagePercent: 41.111}}
	check := func(r response, status, code int) {
		t.Helper()
		if r.code != status || r.env.Code != code {
			t.Fatalf("%s %s: HTTP %d code %d, want %d %d: %s", r.req.Method, r.req.URL, r.code, r.env.Code, status, code, r.body)
		}
		validate(t, router, r)
	}

	// CPU history: averaged points over the period, in the reference's shape.
	r := a.do(t, http.MethodGet, "/api/v1/server/cpu-history?period=6h&interval=5m", a.adminKey, nil)
	check(r, 200, 1000)
	var h struct {
		Period, Interval string
		Data             []struct {
			Timestamp    int64
			UsagePercent float64
		}
		AverageUsagePercent, MaxUsagePercent float64
	}
	decodeFirst(t, r, &h)
	if h.Period != "6h" || h.Interval != "5m" || len(h.Data) != 2 || h.Data[1].Timestamp != base.Add(5*time.Minute).Unix() ||
		h.Data[1].UsagePercent != 41.11 || h.AverageUsagePercent != 30.56 || h.MaxUsagePercent != 41.11 {
		t.Fatalf("history %+v", h)
	}
	if a.host.asked[0] != 5*time.Minute || time.Since(a.host.since[0]) < 6*time.Hour-time.Minute {
		t.Fatalf("asked the host for step %v since %v", a.host.asked[0], a.host.since[0])
	}
	check(a.do(t, http.MethodGet, "/api/v1/server/cpu-history", a.adminKey, nil), 200, 1000) // defaults 1h / 5m
	if a.host.asked[1] != 5*time.Minute || time.Since(a.host.since[1]) > time.Hour+time.Minute {
		t.Fatalf("defaults: step %v since %v", a.host.asked[1], a.host.since[1])
	}
	check(a.do(t, http.MethodGet, "/api/v1/server/cpu-history?period=2h", a.adminKey, nil), 400, 2002)
	check(a.do(t, http.MethodGet, "/api/v1/server/cpu-history", "", nil), 401, 2200)
	check(a.do(t, http.MethodGet, "/api/v1/server/cpu-history", alice, nil), 403, 2201)

	// Info carries the sampled CPU usage and the data directory's disk.
	r = a.do(t, http.MethodGet, "/api/v1/server/info", a.adminKey, nil)
	check(r, 200, 1000)
	var info struct {
		CPU  struct{ UsagePercent *float64 }
		Disk []struct {
			Mount       string
			TotalMB     float64
			UsedPercent float64
		}
	}
	decodeFirst(t, r, &info)
	if info.CPU.UsagePercent == nil || *info.CPU.UsagePercent != 12.35 || len(info.Disk) != 1 || info.Disk[0].Mount != "/" ||
		info.Disk[0].TotalMB != 100 || info.Disk[0].UsedPercent != 25 {
		t.Fatalf("info %+v", info)
	}

	// Restart: the delay is WAREST's (default 4 s, within 1.5 s and 30 min); a second
	// request while one is pending changes nothing (1005).
	check(a.do(t, http.MethodPost, "/api/v1/server/restart", "", nil), 401, 2200)
	check(a.do(t, http.MethodPost, "/api/v1/server/restart", alice, nil), 403, 2201)
	if len(a.restarts.requests) != 0 {
		t.Fatalf("a refused call restarted: %+v", a.restarts.requests)
	}
	r = a.do(t, http.MethodPost, "/api/v1/server/restart", a.adminKey, map[string]any{"delaySeconds": 0.2, "reason": "upgrade"})
	check(r, 202, 1003)
	var rs struct {
		RestartInitiated bool
		ScheduledAt      string
		RestartStrategy  string
	}
	decodeFirst(t, r, &rs)
	if !rs.RestartInitiated || rs.RestartStrategy != "exec" || rs.ScheduledAt != a.restarts.pending.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Fatalf("restart %+v", rs)
	}
	check(a.do(t, http.MethodPost, "/api/v1/server/restart", a.adminKey, nil), 200, 1005)
	check(a.do(t, http.MethodPost, "/api/v1/server/restart", a.adminKey, map[string]any{"delaySeconds": 99999}), 200, 1005)
	want := []restartRequest{{1500 * time.Millisecond, "upgrade"}, {4 * time.Second, "requested through the API"}, {30 * time.Minute, "requested through the API"}}
	if len(a.restarts.requests) != 3 || a.restarts.requests[0] != want[0] || a.restarts.requests[1] != want[1] || a.restarts.requests[2] != want[2] {
		t.Fatalf("requests %+v, want %+v", a.restarts.requests, want)
	}
	check(a.do(t, http.MethodPost, "/api/v1/server/restart", a.adminKey, map[string]any{"delaySeconds": -1}), 400, 2002)

	// The daily schedule.
	sched := func(key string, body any) response {
		t.Helper()
		return a.do(t, http.MethodPost, "/api/v1/server/restart/scheduled", key, body)
	}
	r = sched(a.adminKey, map[string]any{"schedule": "02:30", "timezone": "Asia/Jakarta"})
	check(r, 200, 1000)
	var s struct{ ScheduledRestart, Timezone, NextRestartAt string }
	decodeFirst(t, r, &s)
	if s.ScheduledRestart != "02:30" || s.Timezone != "Asia/Jakarta" || s.NextRestartAt != "2030-01-02T02:30:00.000+07:00" {
		t.Fatalf("schedule %+v", s)
	}
	r = sched(a.adminKey, map[string]any{"schedule": "0"})
	check(r, 200, 1000)
	if len(r.env.Results) != 0 {
		t.Fatalf("a cancelled schedule answers %s, want no results", r.body)
	}
	check(sched(a.adminKey, map[string]any{"schedule": "25:99"}), 400, 2002)
	check(sched(a.adminKey, map[string]any{"schedule": "02:30", "timezone": "Mars/Olympus"}), 400, 2002)
	check(sched(a.adminKey, map[string]any{"schedule": " "}), 400, 2001)
	check(sched(a.adminKey, map[string]any{}), 400, 2001)
	check(sched("", map[string]any{"schedule": "02:30"}), 401, 2200)
	check(sched(alice, map[string]any{"schedule": "02:30"}), 403, 2201)
	if got := len(a.restarts.schedules); got != 4 { // the two valid, and the two the restarter refused
		t.Fatalf("the restarter was asked %d times: %v", got, a.restarts.schedules)
	}
}

func TestHealthReportsStorageAndFFmpeg(t *testing.T) {
	t.Parallel()
	router := loadReference(t)
	a := newApp(t)
	_, ffmpegErr := exec.LookPath("ffmpeg")
	want, wantCode := http.StatusOK, 1000
	if ffmpegErr != nil {
		want, wantCode = http.StatusMultiStatus, 1004
	}
	r := a.do(t, http.MethodGet, "/api/v1/server/healthz", a.adminKey, nil)
	if r.code != want || r.env.Code != wantCode {
		t.Fatalf("healthz: %d %d: %s", r.code, r.env.Code, r.body)
	}
	validate(t, router, r)
	var h struct {
		Status   string
		Services struct {
			Database struct{ Status string }
			Storage  struct {
				Status    string
				LatencyMs *int64
			}
			FFmpeg, FFmpegVersion string
		}
	}
	decodeFirst(t, r, &h)
	if h.Services.Database.Status != "ok" || h.Services.Storage.Status != "ok" || h.Services.Storage.LatencyMs == nil {
		t.Fatalf("health %+v", h)
	}
	if ffmpegErr == nil && (h.Status != "healthy" || h.Services.FFmpeg != "ok" || h.Services.FFmpegVersion == "") {
		t.Fatalf("with ffmpeg installed: %+v", h)
	}
	if ffmpegErr != nil && (h.Status != "degraded" || h.Services.FFmpeg != "error") {
		t.Fatalf("without ffmpeg: %+v", h)
	}

	r = a.do(t, http.MethodGet, "/api/v1/server/ready", a.adminKey, nil)
	if r.code != http.StatusOK {
		t.Fatalf("ready: %d %s", r.code, r.body)
	}
	validate(t, router, r)
	var ready struct {
		Ready        bool
		Dependencies map[string]bool
	}
	decodeFirst(t, r, &ready)
	if !ready.Ready || !ready.Dependencies["database"] || !ready.Dependencies["storage"] || ready.Dependencies["ffmpeg"] != (ffmpegErr == nil) {
		t.Fatalf("ready %+v", ready)
	}
}

func decodeFirst(t *testing.T, r response, v any) {
	t.Helper()
	if len(r.env.Results) == 0 {
		t.Fatalf("no results: %s", r.body)
	}
	if err := json.Unmarshal(r.env.Results[0], v); err != nil {
		t.Fatalf("%v: %s", err, r.env.Results[0])
	}
}
