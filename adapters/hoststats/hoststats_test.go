package hoststats

import (
	"context"
	"testing"
	"time"
)

func TestHistoryAveragesAlignedStepsAndSkipsOldSamples(t *testing.T) {
	s := New(Config{Every: time.Minute, Keep: time.Hour})
	base := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for i, p := range []float64{90, 10, 20, 30, 40, 50, 60} { // one a minute from 10:00
		s.add(base.Add(time.Duration(i)*time.Minute), p)
	}
	got := s.CPUHistory(base.Add(time.Minute), 5*time.Minute)
	if len(got) != 2 {
		t.Fatalf("got %d points, want 2: %+v", len(got), got)
	}
	// 10:00 step: 10:01-10:04 (10:00 is before since); 10:05 step: 10:05-10:06.
	if !got[0].At.Equal(base) || got[0].UsagePercent != 25 {
		t.Errorf("first point %+v, want 10:00 at 25%%", got[0])
	}
	if !got[1].At.Equal(base.Add(5*time.Minute)) || got[1].UsagePercent != 55 {
		t.Errorf("second point %+v, want 10:05 at 55%%", got[1])
	}
	if p, ok := s.CPUUsage(); !ok || p != 60 {
		t.Errorf("latest = %v %v, want 60", p, ok)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	s := New(Config{Every: time.Minute, Keep: 10 * time.Minute})
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 25 {
		s.add(base.Add(time.Duration(i)*time.Minute), float64(i))
	}
	if len(s.samples) != 10 || s.samples[0].percent != 15 {
		t.Fatalf("kept %d samples starting at %v, want the last 10", len(s.samples), s.samples[0].percent)
	}
	if got := s.CPUHistory(time.Time{}, time.Minute); len(got) != 10 || got[0].UsagePercent != 15 {
		t.Fatalf("history %+v", got)
	}
}

func TestRunSamplesTheHostAtOnce(t *testing.T) {
	s := New(Config{Every: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if p, ok := s.CPUUsage(); ok {
			if p < 0 || p > 100 {
				t.Errorf("usage %v out of range", p)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no sample within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestDiskReportsTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	d, err := New(Config{DataDir: dir}).Disk(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != dir || d.Mount == "" || d.Total == 0 || d.Used > d.Total || d.UsedPercent < 0 || d.UsedPercent > 100 {
		t.Fatalf("disk %+v", d)
	}
	if _, err := New(Config{DataDir: dir + "/missing"}).Disk(context.Background()); err == nil {
		t.Fatal("a missing directory has no disk")
	}
}
