package sqlite_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.RunStore(t, func(t *testing.T) ports.Store {
		return open(t, filepath.Join(t.TempDir(), "warest.db"))
	})
}

func TestEventPositionsSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	contract.RunEventReopen(t, func(t *testing.T) ports.Store { return open(t, path) })
}

func TestOpenCreatesParentDirectoryAndReopensMigrated(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nested", "dir", "warest.db")
	first := open(t, path)
	createSession(t, first, "s1")
	if _, err := first.Events().Append(t.Context(), newEvent(t)); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := open(t, path) // migrations already applied: must be a no-op
	got, err := second.Events().ListUnpublished(t.Context(), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("after reopen got %d events, err %v; want 1", len(got), err)
	}
}

// A transaction that never commits must leave nothing in the file, whether fn fails
// or the process dies before COMMIT; committed rows must survive a reopen.
func TestOnlyCommittedEventsSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "warest.db")
	s := open(t, path)
	ctx := t.Context()
	createSession(t, s, "s1")
	committed := newEvent(t)
	if err := s.InTx(ctx, func(r ports.Repositories) error {
		_, err := r.Events().Append(ctx, committed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash before commit")
	if err := s.InTx(ctx, func(r ports.Repositories) error {
		for range 3 {
			if _, err := r.Events().Append(ctx, newEvent(t)); err != nil {
				return err
			}
		}
		return crash
	}); !errors.Is(err, crash) {
		t.Fatalf("InTx = %v, want %v", err, crash)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A child process appends inside a transaction and exits without committing.
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperDiesMidTransaction$")
	cmd.Env = append(os.Environ(), "WAREST_SQLITE_CRASH_DB="+path)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("helper should die with code 3, got %v:\n%s", err, out)
	}

	reopened := open(t, path)
	got, err := reopened.Events().ListUnpublished(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != committed.ID {
		t.Fatalf("after reopen found %d events %+v, want only %s", len(got), got, committed.ID)
	}
}

// TestHelperDiesMidTransaction is the child of TestOnlyCommittedEventsSurviveReopen.
func TestHelperDiesMidTransaction(t *testing.T) {
	path := os.Getenv("WAREST_SQLITE_CRASH_DB")
	if path == "" {
		t.Skip("helper process only")
	}
	s := open(t, path)
	_ = s.InTx(t.Context(), func(r ports.Repositories) error {
		for range 3 {
			if _, err := r.Events().Append(t.Context(), newEvent(t)); err != nil {
				t.Fatal(err)
			}
		}
		os.Exit(3) // killed before COMMIT
		return nil
	})
}

func newEvent(t *testing.T) event.Envelope {
	t.Helper()
	e, err := event.New(event.MessageReceived, "s1", time.Now(), event.Legacy(`{"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func createSession(t *testing.T, s ports.Store, id string) {
	t.Helper()
	sess, err := session.New(id, "OWNER", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sessions().Create(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceLinks(t *testing.T) {
	contract.RunDeviceLinks(t, func(t *testing.T) contract.SQLStore {
		return open(t, filepath.Join(t.TempDir(), "warest.db"))
	})
}
