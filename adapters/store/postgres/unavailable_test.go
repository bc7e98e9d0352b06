package postgres_test

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// A read-only server (a standby, or default_transaction_read_only) makes writes
// fail as unavailable (503, ingest withholds the ack), while reads go on.
func TestReadOnlyDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	schemaURL := contract.PostgresSchemaURL(t)
	open(t, schemaURL) // migrates
	// A second pool whose sessions are read-only; pgx does not read + as a space.
	s := open(t, schemaURL+"&options=-c%20default_transaction_read_only%3Don")
	_, err := s.Counters().Hit(t.Context(), ports.CounterHit{Key: "k", Window: time.Now(), Expires: time.Now().Add(time.Minute)})
	if !fault.Is(err, fault.KindUnavailable) {
		t.Fatalf("write to a read-only database: %v, want unavailable", err)
	}
	if _, err := s.Users().List(t.Context()); err != nil {
		t.Fatalf("read from a read-only database: %v", err)
	}
}
