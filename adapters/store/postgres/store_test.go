package postgres_test

import (
	"sync"
	"testing"

	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// open returns a store on a fresh schema, closed before the schema is dropped.
func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t)
	contract.RunStore(t, func(t *testing.T) ports.Store { return open(t, contract.PostgresSchemaURL(t)) })
}

// Nodes booting together on one schema race to migrate; the advisory lock lets one
// apply the migrations and the others find them applied.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	url := contract.PostgresSchemaURL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s := open(t, url)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestDeviceLinks(t *testing.T) {
	contract.PostgresURL(t)
	contract.RunDeviceLinks(t, func(t *testing.T) contract.SQLStore { return open(t, contract.PostgresSchemaURL(t)) })
}

// A commit the gateway answered for is on disk: the store never turns
// synchronous_commit off for its connections.
func TestSynchronousCommitStaysOn(t *testing.T) {
	t.Parallel()
	s := open(t, contract.PostgresSchemaURL(t))
	var got string
	if err := s.DB().QueryRowContext(t.Context(), "SHOW synchronous_commit").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "on" {
		t.Fatalf("synchronous_commit = %q, want on", got)
	}
}
