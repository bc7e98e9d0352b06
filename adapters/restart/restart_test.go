package restart

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

func newRestarter(t *testing.T, file string) *Restarter {
	t.Helper()
	r, err := New(Config{File: file, Location: time.UTC}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

func TestRequestIsDueAfterItsDelayAndRepeatsAreNoops(t *testing.T) {
	r := newRestarter(t, filepath.Join(t.TempDir(), "schedule.json"))
	at, started := r.Request(50*time.Millisecond, "upgrade")
	if !started || time.Until(at) > 50*time.Millisecond {
		t.Fatalf("first request: %v %v", at, started)
	}
	again, started := r.Request(time.Hour, "again")
	if started || !again.Equal(at) {
		t.Fatalf("second request: %v %v, want the pending %v", again, started, at)
	}
	select {
	case reason := <-r.Due():
		if reason != "upgrade" {
			t.Fatalf("reason %q", reason)
		}
		if time.Now().Before(at) {
			t.Fatal("due before its time")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the restart never became due")
	}
}

func TestStopDisarmsTheRequest(t *testing.T) {
	r := newRestarter(t, filepath.Join(t.TempDir(), "schedule.json"))
	r.Request(20*time.Millisecond, "x")
	r.Stop()
	select {
	case <-r.Due():
		t.Fatal("a stopped restarter fired")
	case <-time.After(100 * time.Millisecond):
	}
}

func TestDailyScheduleIsPersistedReloadedAndCleared(t *testing.T) {
	file := filepath.Join(t.TempDir(), "schedule.json")
	r := newRestarter(t, file)
	next, zone, err := r.ScheduleDaily("02:30", "Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	local := next.In(jkt)
	if zone != "Asia/Jakarta" || local.Hour() != 2 || local.Minute() != 30 || !next.After(time.Now()) || time.Until(next) > 24*time.Hour {
		t.Fatalf("next %v in %s", local, zone)
	}
	if raw, err := os.ReadFile(file); err != nil || string(raw) != `{"schedule":"02:30","timezone":"Asia/Jakarta"}` {
		t.Fatalf("stored %s (%v)", raw, err)
	}
	// A new process arms the stored schedule.
	again := newRestarter(t, file)
	if again.daily == nil || *again.daily != (Daily{At: "02:30", Timezone: "Asia/Jakarta"}) || again.dtimer == nil {
		t.Fatalf("reloaded %+v", again.daily)
	}
	if next, _, err := again.ScheduleDaily("0", ""); err != nil || !next.IsZero() {
		t.Fatalf("clear: %v %v", next, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the cleared schedule is still stored: %v", err)
	}
}

func TestDailyScheduleRejectsBadInput(t *testing.T) {
	r := newRestarter(t, filepath.Join(t.TempDir(), "schedule.json"))
	for _, c := range []struct{ at, tz string }{{"25:00", ""}, {"2:3", ""}, {"noon", ""}, {"02:30", "Mars/Olympus"}} {
		if _, _, err := r.ScheduleDaily(c.at, c.tz); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("%q %q: %v, want an invalid-input fault", c.at, c.tz, err)
		}
	}
}

func TestNextAtIsTheFirstOccurrenceAfterNow(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if got := nextAt(now, 11, 15, time.UTC); !got.Equal(time.Date(2026, 3, 1, 11, 15, 0, 0, time.UTC)) {
		t.Errorf("later today: %v", got)
	}
	if got := nextAt(now, 10, 0, time.UTC); !got.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("now is past: %v", got)
	}
}

func TestUnknownModeIsRefused(t *testing.T) {
	if _, err := New(Config{Mode: "reboot"}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("an unknown mode was accepted")
	}
}
