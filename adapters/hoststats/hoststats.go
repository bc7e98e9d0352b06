// Package hoststats samples the host's CPU usage into a bounded in-memory history
// and reads the data directory's disk usage, with gopsutil.
package hoststats

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"

	"github.com/warest-go/warest/ports"
)

// Config says how often to sample and how long to keep samples (WAREST: every
// 15 s, for 30 days: 172,800 samples of 16 bytes).
type Config struct {
	DataDir string
	Every   time.Duration // 0: 15 s
	Keep    time.Duration // 0: 30 days
}

// Sampler implements ports.HostStats.
type Sampler struct {
	cfg  Config
	read func(context.Context) (float64, error) // CPU usage since the previous call

	mu      sync.Mutex
	samples []sample // oldest first, at most cfg.Keep/cfg.Every
}

type sample struct {
	at      time.Time
	percent float64
}

var _ ports.HostStats = (*Sampler)(nil)

// New returns a sampler that reads the host's CPU counters; Run takes the samples.
func New(cfg Config) *Sampler {
	if cfg.Every <= 0 {
		cfg.Every = 15 * time.Second
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 30 * 24 * time.Hour
	}
	return &Sampler{cfg: cfg, read: hostCPU}
}

// hostCPU is the busy share of all CPUs since the previous call (the first call
// measures since boot).
func hostCPU(ctx context.Context) (float64, error) {
	p, err := cpu.PercentWithContext(ctx, 0, false)
	if err != nil || len(p) == 0 {
		return 0, err
	}
	return p[0], nil
}

// Run samples every cfg.Every until ctx ends. The first sample is taken at once,
// so /server/info has a figure as soon as the gateway serves.
func (s *Sampler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		if p, err := s.read(ctx); err == nil {
			s.add(time.Now(), p)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Sampler) add(at time.Time, percent float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, sample{at: at, percent: percent})
	if limit := int(s.cfg.Keep / s.cfg.Every); len(s.samples) > limit {
		// Drop the oldest; copying keeps the backing array from growing forever.
		s.samples = append(s.samples[:0], s.samples[len(s.samples)-limit:]...)
	}
}

// CPUUsage is the latest sample.
func (s *Sampler) CPUUsage() (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) == 0 {
		return 0, false
	}
	return s.samples[len(s.samples)-1].percent, true
}

// CPUHistory averages the samples since a time into steps aligned to the step
// length (so a 5-minute step starts on a multiple of five minutes).
func (s *Sampler) CPUHistory(since time.Time, step time.Duration) []ports.CPUPoint {
	if step <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.CPUPoint
	var sum float64
	var n int
	flush := func() {
		if n > 0 {
			out[len(out)-1].UsagePercent = sum / float64(n)
		}
	}
	for _, smp := range s.samples {
		if smp.at.Before(since) {
			continue
		}
		start := smp.at.Truncate(step)
		if len(out) == 0 || !out[len(out)-1].At.Equal(start) {
			flush()
			out = append(out, ports.CPUPoint{At: start})
			sum, n = 0, 0
		}
		sum += smp.percent
		n++
	}
	flush()
	return out
}

// Disk reports the file system of the data directory and where it is mounted.
func (s *Sampler) Disk(ctx context.Context) (ports.DiskUsage, error) {
	path, err := filepath.Abs(s.cfg.DataDir)
	if err != nil {
		return ports.DiskUsage{}, err
	}
	u, err := disk.UsageWithContext(ctx, path)
	if err != nil {
		return ports.DiskUsage{}, err
	}
	return ports.DiskUsage{Path: path, Mount: mountOf(ctx, path), FSType: u.Fstype, Total: u.Total, Free: u.Free,
		Used: u.Used, UsedPercent: u.UsedPercent}, nil
}

// mountOf is the longest mount point holding path; the path itself when the
// partitions cannot be listed.
func mountOf(ctx context.Context, path string) string {
	parts, err := disk.PartitionsWithContext(ctx, false)
	best := ""
	if err == nil {
		for _, p := range parts {
			m := p.Mountpoint
			if (path == m || strings.HasPrefix(path, strings.TrimSuffix(m, "/")+"/")) && len(m) > len(best) {
				best = m
			}
		}
	}
	if best == "" {
		return path
	}
	return best
}
