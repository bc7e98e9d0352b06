package ports

import (
	"context"
	"time"
)

// HostStats reports the machine the gateway runs on, for /server/info and
// /server/cpu-history.
type HostStats interface {
	// CPUUsage is the latest sample of the host's CPU usage; ok is false before
	// the first one.
	CPUUsage() (percent float64, ok bool)
	// CPUHistory averages the samples taken since a time into steps of the given
	// length, oldest first; steps without samples are left out.
	CPUHistory(since time.Time, step time.Duration) []CPUPoint
	// Disk reports the file system holding the data directory.
	Disk(ctx context.Context) (DiskUsage, error)
}

// CPUPoint is the mean CPU usage over one step starting At.
type CPUPoint struct {
	At           time.Time
	UsagePercent float64
}

// DiskUsage is one file system's space, in bytes.
type DiskUsage struct {
	Path        string // the directory asked about
	Mount       string // where its file system is mounted
	FSType      string
	Total, Free uint64
	Used        uint64
	UsedPercent float64
}

// Versioned is a program the gateway runs (ffmpeg): Version says which one is
// installed, and fails when none is.
type Versioned interface {
	Version(ctx context.Context) (string, error)
}
