package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/warest-go/warest/adapters/store/postgres/internal/db"
)

// together runs the fns of a group transaction at once (store.Tx.Together): each
// has a fork, its own handle on the transaction. A fork's statement waits until
// every fork still running waits on one too; the last to arrive then sends them all
// in one batch, one round trip for a statement of every call, and hands each fork
// its result. A group of sends thus costs a few round trips instead of a few per send.
type together struct {
	tx     *pipelinedTx
	ctx    context.Context // the group's: statements end with it, never with a caller's
	mu     sync.Mutex
	live   int       // forks whose fn has not returned
	queued []*queued // the waiting forks' statements, in the order they came
	failed error     // of a statement: the transaction is aborted, later ones fail at once
}

// runTogether gives n fns each its queries on tx (see store.Tx.Together).
func runTogether(ctx context.Context, tx *pipelinedTx, n int) (queries []any, leave func()) {
	t := &together{tx: tx, ctx: ctx, live: n}
	queries = make([]any, n)
	for i := range queries {
		queries[i] = db.New(fork{t})
	}
	return queries, t.leave
}

// queued is a fork's statement and, once sent, its result.
type queued struct {
	sql  string
	args []any
	kind int   // kindExec, kindRow or kindRows
	dest []any // a row's
	tag  pgconn.CommandTag
	rows *heldRows
	err  error
	done chan struct{}
}

const (
	kindExec = iota
	kindRow
	kindRows
)

// run queues q and returns once its result is in.
func (t *together) run(q *queued) *queued {
	t.mu.Lock()
	if t.failed != nil {
		t.mu.Unlock()
		q.err = t.failed
		return q
	}
	q.done = make(chan struct{})
	t.queued = append(t.queued, q)
	t.sendIfAllWait()
	<-q.done
	return q
}

// leave tells that a fork's fn has returned: the others no longer wait for it.
func (t *together) leave() {
	t.mu.Lock()
	t.live--
	t.sendIfAllWait()
}

// sendIfAllWait sends the queued statements when every live fork waits on one; it
// is called with mu held and unlocks it.
func (t *together) sendIfAllWait() {
	if len(t.queued) == 0 || len(t.queued) < t.live {
		t.mu.Unlock()
		return
	}
	batch := t.queued
	t.queued = nil
	t.mu.Unlock() // every live fork waits in batch: none can queue meanwhile
	err := errSendPanicked
	defer func() { // even when send panics (in a scan): the forks of batch must not wait forever
		t.mu.Lock()
		t.failed = err
		t.mu.Unlock()
		for _, q := range batch {
			if err == errSendPanicked {
				q.err = err
			}
			close(q.done)
		}
	}()
	err = t.send(batch)
}

var errSendPanicked = errors.New("postgres: a statement run together panicked")

// send runs batch in one round trip and sets each statement's result; it returns the
// error that aborted the transaction, if one did.
func (t *together) send(batch []*queued) (aborted error) {
	var b pgx.Batch
	for _, q := range batch {
		b.Queue(q.sql, q.args...)
	}
	br, err := t.tx.send(t.ctx, &b) // with the transaction's BEGIN, in the first round
	if err != nil {
		for _, q := range batch {
			q.err = err
		}
		return err
	}
	for _, q := range batch {
		switch q.kind {
		case kindExec:
			q.tag, q.err = br.Exec()
		case kindRow:
			q.err = br.QueryRow().Scan(q.dest...)
		case kindRows:
			rs, err := br.Query()
			q.rows, q.err = hold(t.tx.conn.Conn().TypeMap(), rs, err)
		}
		if q.err != nil && !errors.Is(q.err, pgx.ErrNoRows) && aborted == nil {
			aborted = q.err
		}
	}
	if err := br.Close(); err != nil && aborted == nil {
		aborted = err
	}
	return aborted
}

// fork is one fn's handle on a together transaction, the DBTX of its queries.
type fork struct{ t *together }

func (f fork) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q := f.t.run(&queued{sql: sql, args: args, kind: kindExec})
	return q.tag, q.err
}

func (f fork) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	q := f.t.run(&queued{sql: sql, args: args, kind: kindRows})
	if q.err != nil {
		return nil, q.err
	}
	return q.rows, nil
}

func (f fork) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	return forkRow{f.t, sql, args}
}

// forkRow is a row not read yet: its statement goes out when Scan names where to read it.
type forkRow struct {
	t    *together
	sql  string
	args []any
}

func (r forkRow) Scan(dest ...any) error {
	return r.t.run(&queued{sql: r.sql, args: r.args, kind: kindRow, dest: dest}).err
}

// heldRows are the rows of a statement read off the connection as they came, so the
// batch can go on while their fn scans them.
type heldRows struct {
	types  *pgtype.Map
	fields []pgconn.FieldDescription
	values [][][]byte
	tag    pgconn.CommandTag
	next   int
	err    error
}

var _ pgx.Rows = (*heldRows)(nil)

// hold reads rs to its end.
func hold(types *pgtype.Map, rs pgx.Rows, err error) (*heldRows, error) {
	if err != nil {
		return nil, err
	}
	h := &heldRows{types: types, fields: slices.Clone(rs.FieldDescriptions())}
	for rs.Next() {
		row := make([][]byte, len(h.fields))
		for i, v := range rs.RawValues() {
			row[i] = slices.Clone(v) // nil stays nil: NULL
		}
		h.values = append(h.values, row)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	h.tag = rs.CommandTag()
	return h, nil
}

func (h *heldRows) Close()                                       {}
func (h *heldRows) Err() error                                   { return h.err }
func (h *heldRows) CommandTag() pgconn.CommandTag                { return h.tag }
func (h *heldRows) FieldDescriptions() []pgconn.FieldDescription { return h.fields }
func (h *heldRows) Conn() *pgx.Conn                              { return nil }
func (h *heldRows) TypeMap() *pgtype.Map                         { return h.types }

func (h *heldRows) Next() bool {
	if h.err != nil || h.next == len(h.values) {
		return false
	}
	h.next++
	return true
}

func (h *heldRows) RawValues() [][]byte { return h.values[h.next-1] }

func (h *heldRows) Scan(dest ...any) error {
	if len(dest) != len(h.fields) {
		h.err = fmt.Errorf("postgres: %d columns, %d scan targets", len(h.fields), len(dest))
		return h.err
	}
	for i, d := range dest {
		f := h.fields[i]
		if err := h.types.Scan(f.DataTypeOID, f.Format, h.RawValues()[i], d); err != nil {
			h.err = fmt.Errorf("postgres: scan column %s: %w", f.Name, err)
			return h.err
		}
	}
	return nil
}

func (h *heldRows) Values() ([]any, error) {
	vals := make([]any, len(h.fields))
	for i, f := range h.fields {
		raw := h.RawValues()[i]
		t, ok := h.types.TypeForOID(f.DataTypeOID)
		switch {
		case raw == nil:
			continue
		case !ok && f.Format == pgtype.TextFormatCode:
			vals[i] = string(raw)
			continue
		case !ok:
			vals[i] = slices.Clone(raw)
			continue
		}
		v, err := t.Codec.DecodeValue(h.types, f.DataTypeOID, f.Format, raw)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}
