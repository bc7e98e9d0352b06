package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

func (h *handlers) registerServer() {
	const tag = "Server"
	register(h, route{id: "getServerPing", method: http.MethodGet, path: "/api/v1/server/ping", tag: tag,
		summary: "Ping the API (no key needed)"}, h.ping)
	register(h, route{id: "getServerInfo", method: http.MethodGet, path: "/api/v1/server/info", tag: tag,
		summary: "Get runtime info (admin)", access: accessAdmin}, h.info)
	register(h, route{id: "getServerHealthz", method: http.MethodGet, path: "/api/v1/server/healthz", tag: tag,
		summary: "Check dependency health (admin)", access: accessAdmin, also: []int{http.StatusMultiStatus, http.StatusServiceUnavailable}}, h.healthz)
	register(h, route{id: "getServerReady", method: http.MethodGet, path: "/api/v1/server/ready", tag: tag,
		summary: "Check readiness (admin)", access: accessAdmin, also: []int{http.StatusServiceUnavailable}}, h.ready)
	h.registerServerOps()
	h.registerServerNodes()
}

type pingResult struct {
	Ping           string  `json:"ping"`
	LatencyMs      float64 `json:"latencyMs" doc:"time spent in the server before answering"`
	ServerTime     string  `json:"serverTime" example:"2024-05-01 15:30:00"`
	ServerTimeISO  string  `json:"serverTimeISO" example:"2024-05-01T15:30:00.000+07:00"`
	ServerTimeUTC  string  `json:"serverTimeUTC" example:"2024-05-01T08:30:00.000Z"`
	Timezone       string  `json:"timezone"`
	TimezoneLocale string  `json:"timezoneLocale"`
	Timestamp      int64   `json:"timestamp" doc:"unix seconds"`
}

// timezoneLocale is fixed: Go has no locale database and WAREST only echoes it.
const timezoneLocale = "en-US"

func (h *handlers) ping(ctx context.Context, _ *struct{}) (*Response[pingResult], error) {
	now := time.Now()
	latency := 0.0
	if t, ok := ctx.Value(receivedKey{}).(time.Time); ok {
		latency = float64(now.Sub(t).Microseconds()) / 1000
	}
	local := now.In(h.loc)
	return success("Server is alive", pingResult{
		Ping: "pong", LatencyMs: latency,
		ServerTime:    local.Format(time.DateTime),
		ServerTimeISO: local.Format("2006-01-02T15:04:05.000-07:00"),
		ServerTimeUTC: now.UTC().Format("2006-01-02T15:04:05.000Z"),
		Timezone:      h.loc.String(), TimezoneLocale: timezoneLocale, Timestamp: now.Unix(),
	}), nil
}

type memoryInfo struct {
	TotalMB      float64 `json:"totalMB" doc:"memory obtained from the OS by the Go runtime"`
	UsedMB       float64 `json:"usedMB" doc:"heap and stacks in use"`
	FreeMB       float64 `json:"freeMB"`
	UsagePercent float64 `json:"usagePercent"`
}

type infoResult struct {
	ServiceName    string  `json:"serviceName"`
	ServiceVersion string  `json:"serviceVersion"`
	Environment    string  `json:"environment"`
	UptimeSeconds  int64   `json:"uptimeSeconds"`
	UptimeDays     float64 `json:"uptimeDays"`
	System         struct {
		Hostname string `json:"hostname"`
		Platform string `json:"platform"`
		Arch     string `json:"arch"`
		Release  string `json:"release"`
	} `json:"system"`
	CPU struct {
		Cores        int      `json:"cores"`
		UsagePercent *float64 `json:"usagePercent" doc:"the host's, over the last 15 s sample; null before the first"`
	} `json:"cpu"`
	Memory  memoryInfo `json:"memory"`
	Process struct {
		PID           int        `json:"pid"`
		GoVersion     string     `json:"goVersion"`
		UptimeSeconds int64      `json:"uptimeSeconds"`
		Goroutines    int        `json:"goroutines"`
		Memory        memoryInfo `json:"memory"`
	} `json:"process"`
	Disk        []diskInfo     `json:"disk" doc:"the file system of the data directory"`
	LoadAverage []float64      `json:"loadAverage"`
	Timezone    string         `json:"timezone"`
	Runtime     []runtimeInfo  `json:"runtime"`
	Sessions    map[string]int `json:"sessions" doc:"total and per status"`
	Timestamp   int64          `json:"timestamp"`
}

type diskInfo struct {
	Mount       string  `json:"mount"`
	Path        string  `json:"path" doc:"the data directory"`
	FSType      string  `json:"fsType"`
	TotalMB     float64 `json:"totalMB"`
	FreeMB      float64 `json:"freeMB"`
	UsedMB      float64 `json:"usedMB"`
	UsedPercent float64 `json:"usedPercent"`
}

type runtimeInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func (h *handlers) info(ctx context.Context, _ *struct{}) (*Response[infoResult], error) {
	sessions, err := h.q.Sessions.Sessions(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	counts := map[string]int{"total": len(sessions), "active": 0}
	for _, s := range sessions {
		counts[string(s.Status())]++
		if s.Status() == session.StatusOpen {
			counts["active"]++
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mem := memoryOf(ms)
	uptime := time.Since(h.cfg.StartedAt)
	var res infoResult
	res.ServiceName, res.ServiceVersion, res.Environment = h.cfg.ServiceName, h.cfg.Version, h.cfg.Environment
	res.UptimeSeconds, res.UptimeDays = int64(uptime.Seconds()), round2(uptime.Hours()/24)
	res.System.Hostname, _ = os.Hostname()
	res.System.Platform, res.System.Arch, res.System.Release = runtime.GOOS, runtime.GOARCH, readTrimmed("/proc/sys/kernel/osrelease")
	res.CPU.Cores = runtime.NumCPU()
	res.Memory = mem
	res.Process.PID, res.Process.GoVersion, res.Process.UptimeSeconds = os.Getpid(), runtime.Version(), res.UptimeSeconds
	res.Process.Goroutines, res.Process.Memory = runtime.NumGoroutine(), mem
	res.Disk, res.LoadAverage = h.disks(ctx), loadAverage()
	if h.host != nil {
		if p, ok := h.host.CPUUsage(); ok {
			p = round2(p)
			res.CPU.UsagePercent = &p
		}
	}
	res.Timezone = h.loc.String()
	res.Runtime = []runtimeInfo{{Name: "go", Version: runtime.Version()}}
	res.Sessions, res.Timestamp = counts, time.Now().Unix()
	return success("Server information fetched", res), nil
}

// disks reports the data directory's file system; none when it cannot be read.
func (h *handlers) disks(ctx context.Context) []diskInfo {
	if h.host == nil {
		return []diskInfo{}
	}
	d, err := h.host.Disk(ctx)
	if err != nil {
		loggerFrom(ctx).WarnContext(ctx, "disk usage unavailable", "err", err)
		return []diskInfo{}
	}
	const mb = 1 << 20
	return []diskInfo{{Mount: d.Mount, Path: d.Path, FSType: d.FSType, TotalMB: round2(float64(d.Total) / mb),
		FreeMB: round2(float64(d.Free) / mb), UsedMB: round2(float64(d.Used) / mb), UsedPercent: round2(d.UsedPercent)}}
}

func memoryOf(ms runtime.MemStats) memoryInfo {
	const mb = 1 << 20
	total, used := float64(ms.Sys)/mb, float64(ms.HeapInuse+ms.StackInuse)/mb
	pct := 0.0
	if total > 0 {
		pct = used / total * 100
	}
	return memoryInfo{TotalMB: round2(total), UsedMB: round2(used), FreeMB: round2(total - used), UsagePercent: round2(pct)}
}

func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.2f", f), 64)
	return v
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// loadAverage reads /proc/loadavg; other platforms report none.
func loadAverage() []float64 {
	out := []float64{}
	for _, f := range strings.Fields(readTrimmed("/proc/loadavg")) {
		if len(out) == 3 {
			break
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			break
		}
		out = append(out, v)
	}
	return out
}

type databaseHealth struct {
	Status       string `json:"status" enum:"ok,error"`
	DatabaseType string `json:"databaseType"`
	LatencyMs    int64  `json:"latencyMs"`
}

// serviceHealth is the storage's entry of the report.
type serviceHealth struct {
	Status    string `json:"status" enum:"ok,error"`
	LatencyMs int64  `json:"latencyMs"`
	Error     string `json:"error,omitempty" doc:"why it cannot be used"`
}

func serviceOf(c *query.Check) *serviceHealth {
	if c == nil {
		return nil
	}
	s := &serviceHealth{Status: "ok", LatencyMs: c.LatencyMs}
	if c.Err != nil {
		s.Status, s.Error = "error", c.Err.Error()
	}
	return s
}

type healthResult struct {
	Status         string `json:"status" enum:"healthy,degraded,unhealthy"`
	ServiceName    string `json:"serviceName"`
	ServiceVersion string `json:"serviceVersion"`
	Uptime         string `json:"uptime" example:"1d 2h 5m"`
	UptimeSeconds  int64  `json:"uptimeSeconds"`
	Services       struct {
		Database databaseHealth `json:"database"`
		Storage  *serviceHealth `json:"storage,omitempty" doc:"the blob store: a probe object written, read back and deleted"`
		// ffmpeg is a plain "ok"/"error" as in WAREST, whose clients compare it to "ok".
		FFmpeg        string `json:"ffmpeg,omitempty" enum:"ok,error" doc:"present; only media conversions need it"`
		FFmpegVersion string `json:"ffmpegVersion,omitempty" doc:"ffmpeg's version line"`
	} `json:"services"`
	Timestamp int64 `json:"timestamp"`
}

// healthz answers 503 (unhealthy) when the database does not answer, 207
// (degraded) when only the blob store or ffmpeg fails, else 200, with the report
// in every case so monitors can show what failed.
func (h *handlers) healthz(ctx context.Context, _ *struct{}) (*Response[healthResult], error) {
	hl := h.q.System.Health(ctx)
	uptime := time.Since(h.cfg.StartedAt)
	res := healthResult{Status: "healthy", ServiceName: h.cfg.ServiceName, ServiceVersion: h.cfg.Version,
		Uptime: humanUptime(uptime), UptimeSeconds: int64(uptime.Seconds()), Timestamp: time.Now().Unix()}
	res.Services.Database = databaseHealth{Status: "ok", DatabaseType: hl.Database, LatencyMs: hl.LatencyMs}
	res.Services.Storage = serviceOf(hl.Storage)
	if hl.FFmpeg != nil {
		res.Services.FFmpeg, res.Services.FFmpegVersion = "ok", hl.FFmpeg.Detail
		if hl.FFmpeg.Err != nil {
			res.Services.FFmpeg = "error"
		}
	}
	if hl.Err != nil {
		loggerFrom(ctx).WarnContext(ctx, "database health check failed", "err", hl.Err)
		res.Status, res.Services.Database.Status = "unhealthy", "error"
		r := kindRules[fault.KindUnavailable]
		return reply(r.status, r.code, "Service unhealthy", res), nil
	}
	if failed(hl.Storage) || failed(hl.FFmpeg) {
		loggerFrom(ctx).WarnContext(ctx, "service degraded", "storage", res.Services.Storage, "ffmpeg", hl.FFmpeg)
		res.Status = "degraded"
		return reply(http.StatusMultiStatus, codePartial, "Some services degraded", res), nil
	}
	return success("All services healthy", res), nil
}

func failed(c *query.Check) bool { return c != nil && c.Err != nil }

func humanUptime(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days := int(d.Hours()) / 24
	return fmt.Sprintf("%dd %dh %dm", days, int(d.Hours())%24, int(d.Minutes())%60)
}

type readyResult struct {
	Ready        bool `json:"ready" doc:"the database answers and the blob store writes; ffmpeg is reported, not required"`
	Dependencies struct {
		Database bool  `json:"database"`
		Storage  *bool `json:"storage,omitempty"`
		FFmpeg   *bool `json:"ffmpeg,omitempty"`
	} `json:"dependencies"`
	Timestamp int64 `json:"timestamp"`
}

func okOf(c *query.Check) *bool {
	if c == nil {
		return nil
	}
	ok := c.Err == nil
	return &ok
}

func (h *handlers) ready(ctx context.Context, _ *struct{}) (*Response[readyResult], error) {
	hl := h.q.System.Health(ctx)
	res := readyResult{Ready: hl.Err == nil && !failed(hl.Storage), Timestamp: time.Now().Unix()}
	res.Dependencies.Database = hl.Err == nil
	res.Dependencies.Storage, res.Dependencies.FFmpeg = okOf(hl.Storage), okOf(hl.FFmpeg)
	if !res.Ready {
		loggerFrom(ctx).WarnContext(ctx, "not ready", "database", hl.Err, "storage", res.Dependencies.Storage)
		r := kindRules[fault.KindUnavailable]
		return reply(r.status, r.code, "Server is not ready", res), nil
	}
	return success("Server is ready for traffic", res), nil
}
