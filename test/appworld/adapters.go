package appworld

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/warest-go/warest/adapters/bus"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/adapters/webhook"
	"github.com/warest-go/warest/test/contract"
)

// The tests of domain, ports and application reach adapters only through these
// names, so the layering rule holds for them too (test/arch) and what the use cases
// are tested on is chosen in one place.
type (
	Network       = sandbox.Network
	NetworkConfig = sandbox.Config
	SQLiteStore   = sqlite.Store
	SQLiteConfig  = sqlite.Config
	PGConfig      = postgres.Config
	BlobConfig    = storage.Config
	BusConfig     = bus.Config
	SenderConfig  = webhook.Config
	Renderer      = warestjson.Renderer
)

// WAREST's wire shapes, for tests that read rendered event data.
type (
	MessageKey               = warestjson.MessageKey
	Sender                   = warestjson.Sender
	MessageReceivedData      = warestjson.MessageReceivedData
	MessageReactionData      = warestjson.MessageReactionData
	MessageEditedData        = warestjson.MessageEditedData
	MessageRevokedData       = warestjson.MessageRevokedData
	MessageCommandData       = warestjson.MessageCommandData
	MessageStatusData        = warestjson.MessageStatusData
	MessageAckData           = warestjson.MessageAckData
	MessageUndecryptableData = warestjson.MessageUndecryptableData
	HistorySyncData          = warestjson.HistorySyncData
	SessionStatusData        = warestjson.SessionStatusData
	PresenceUpdateData       = warestjson.PresenceUpdateData
	WebhookDisabledData      = warestjson.WebhookDisabledData
	WebhookActionFailedData  = warestjson.WebhookActionFailedData
)

var (
	NewNetwork = sandbox.NewNetwork
	OpenSQLite = sqlite.Open
	OpenPG     = postgres.Open
	NewBlobs   = storage.New
	NewBus     = bus.New
	NewSender  = webhook.New
)

// NewStore opens the store the use cases are tested on: SQLite in a file of the
// test's own, with contract.Sealer for secrets, closed when the test ends.
func NewStore(t testing.TB) *SQLiteStore {
	t.Helper()
	migrated, err := migratedDB()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "warest.db")
	if err := os.WriteFile(path, migrated, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// migratedDB is an empty database with every migration applied, made once per test
// process: a copy of it opens in a fraction of the time a new file takes to migrate.
var migratedDB = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "warest-appworld-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "migrated.db")
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path}, contract.Sealer{})
	if err != nil {
		return nil, err
	}
	if err := s.Close(); err != nil { // the last close folds the write-ahead log into the file
		return nil, err
	}
	return os.ReadFile(path)
})
