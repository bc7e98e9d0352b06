package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"
)

// The ideal server is the yardstick of the send benchmark: the least a durable
// acceptance of POST /messages/send/text must do, on the same box and database. It
// decodes the JSON, checks the API key's hash, and commits a message row and an event
// row, answering only after the commit. Concurrent requests share transactions (group
// commit: one committer takes every request waiting and commits them together). No
// limits, idempotency, sessions or routing: whatever the gateway costs beyond this is
// its overhead.

type idealRow struct{ msgID, eventID, session, to, text, payload string }

type idealReq struct {
	row  idealRow
	done chan error
}

// idealCommitter writes a group of rows in one transaction.
type idealCommitter func(ctx context.Context, rows []idealRow) error

// startIdeal serves the ideal acceptance of adminKey's sends over commit.
func startIdeal(t *testing.T, commit idealCommitter) string {
	t.Helper()
	reqs := make(chan *idealReq, 1024)
	go func() {
		for first := range reqs {
			batch := []*idealReq{first}
		drain:
			for len(batch) < 512 {
				select {
				case r := <-reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			rows := make([]idealRow, len(batch))
			for i, r := range batch {
				rows[i] = r.row
			}
			err := commit(context.Background(), rows)
			for _, r := range batch {
				r.done <- err
			}
		}
	}()
	sum := sha256.Sum256([]byte(adminKey))
	keys := map[string]string{hex.EncodeToString(sum[:]): "admin"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.Header.Get("X-WAREST-API-KEY")))
		if _, ok := keys[hex.EncodeToString(sum[:])]; !ok {
			http.Error(w, "invalid API key", http.StatusUnauthorized)
			return
		}
		var in struct{ SessionID, To, Message string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SessionID == "" || in.To == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		id := idealID()
		req := &idealReq{done: make(chan error, 1), row: idealRow{msgID: id, eventID: idealID(), session: in.SessionID,
			to: in.To, text: in.Message, payload: `{"id":"` + id + `","status":"queued"}`}}
		reqs <- req
		if err := <-req.done; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":true,"results":{"messageId":"` + id + `"}}`))
	}))
	t.Cleanup(func() { srv.Close(); close(reqs) })
	return srv.URL
}

func idealID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

const idealSchema = `CREATE TABLE messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, recipient TEXT NOT NULL,
	text TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE events (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL,
	created_at BIGINT NOT NULL)`

const (
	idealMessage = `INSERT INTO messages (id, session_id, recipient, text, status, created_at) VALUES ($1, $2, $3, $4, 'queued', $5)`
	idealEvent   = `INSERT INTO events (id, session_id, type, payload, created_at) VALUES ($1, $2, 'message.status', $3, $4)`
)

// idealSQLite commits to a fresh SQLite file in WAL mode with synchronous=FULL (every
// commit fsynced), over one connection with prepared statements.
func idealSQLite(t *testing.T) idealCommitter {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "ideal.db")+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(idealSchema); err != nil {
		t.Fatal(err)
	}
	msg, err := db.Prepare(idealMessage)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := db.Prepare(idealEvent)
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, rows []idealRow) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		m, e := tx.StmtContext(ctx, msg), tx.StmtContext(ctx, ev)
		now := time.Now().UnixMilli()
		for _, r := range rows {
			if _, err := m.ExecContext(ctx, r.msgID, r.session, r.to, r.text, now); err != nil {
				return err
			}
			if _, err := e.ExecContext(ctx, r.eventID, r.session, r.payload, now); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
}

// idealPostgres commits to a fresh schema, the group's inserts pipelined in one
// round trip (synchronous_commit as the server has it: on).
func idealPostgres(t *testing.T, url string) idealCommitter {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), idealSchema); err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, rows []idealRow) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var b pgx.Batch
			now := time.Now().UnixMilli()
			for _, r := range rows {
				b.Queue(idealMessage, r.msgID, r.session, r.to, r.text, now)
				b.Queue(idealEvent, r.eventID, r.session, r.payload, now)
			}
			return tx.SendBatch(ctx, &b).Close()
		})
	}
}

// idealMySQL commits to a fresh MySQL/MariaDB database (InnoDB, which flushes its log
// at every commit by default), each batch's rows in one multi-row statement per table.
func idealMySQL(t *testing.T, dsn string) idealCommitter {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, ddl := range []string{
		`CREATE TABLE messages (id VARCHAR(64) PRIMARY KEY, session_id VARCHAR(64) NOT NULL, recipient VARCHAR(64) NOT NULL,
			text TEXT NOT NULL, status VARCHAR(16) NOT NULL, created_at BIGINT NOT NULL)`,
		`CREATE TABLE events (id VARCHAR(64) PRIMARY KEY, session_id VARCHAR(64) NOT NULL, type VARCHAR(32) NOT NULL,
			payload TEXT NOT NULL, created_at BIGINT NOT NULL)`,
	} {
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	return func(ctx context.Context, rows []idealRow) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		now := time.Now().UnixMilli()
		msgs, evs := make([]any, 0, 5*len(rows)), make([]any, 0, 4*len(rows))
		for _, r := range rows {
			msgs = append(msgs, r.msgID, r.session, r.to, r.text, now)
			evs = append(evs, r.eventID, r.session, r.payload, now)
		}
		tuples := func(n int, one string) string { return strings.TrimSuffix(strings.Repeat(one+",", n), ",") }
		if _, err := tx.ExecContext(ctx, "INSERT INTO messages (id, session_id, recipient, text, status, created_at) VALUES "+
			tuples(len(rows), "(?, ?, ?, ?, 'queued', ?)"), msgs...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO events (id, session_id, type, payload, created_at) VALUES "+
			tuples(len(rows), "(?, ?, 'message.status', ?, ?)"), evs...); err != nil {
			return err
		}
		return tx.Commit()
	}
}
