package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// sqlStore is a dialect's store with its database/sql view.
type sqlStore interface {
	ports.Store
	DB() *sql.DB
	Close() error
}

// dialects opens a fresh store of each SQL dialect.
var dialects = []struct {
	name string
	open func(t *testing.T) (sqlStore, error)
}{
	{"sqlite", func(t *testing.T) (sqlStore, error) {
		return sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db")}, contract.Sealer{})
	}},
	{"postgres", func(t *testing.T) (sqlStore, error) {
		return postgres.Open(t.Context(), postgres.Config{URL: contract.PostgresSchemaURL(t)}, contract.Sealer{})
	}},
	{"mysql", func(t *testing.T) (sqlStore, error) {
		return mysql.Open(t.Context(), mysql.Config{DSN: contract.MySQLDatabaseDSN(t)}, contract.Sealer{})
	}},
}

func TestWebhookSecretIsStoredSealed(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			s, err := d.open(t)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			sess, err := session.New("s1", "OWNER", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			sess.SetWebhook(session.Webhook{URL: "https://example.test", Secret: "plain-secret"}, time.Now())
			if err := s.Sessions().Create(t.Context(), sess); err != nil {
				t.Fatal(err)
			}
			var raw string
			if err := s.DB().QueryRowContext(t.Context(), `SELECT webhook_secret FROM sessions WHERE id = 's1'`).Scan(&raw); err != nil {
				t.Fatal(err)
			}
			want, _ := contract.Sealer{}.Seal("plain-secret")
			if raw != want {
				t.Fatalf("stored secret %q, want sealed %q", raw, want)
			}
		})
	}
}
