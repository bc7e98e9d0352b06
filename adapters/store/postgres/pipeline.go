package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipelinedTx is a transaction on a pooled connection that sends the statements
// queued Ahead in one round trip with the next statement, as a pgx batch: its own
// BEGIN, and the group commit's savepoints. An error of a queued statement is the
// next statement's error; the group commit then fails that call and ends the
// transaction uncommitted, as it does when a savepoint fails on its own.
type pipelinedTx struct {
	conn   *pgxpool.Conn
	queued []string
	sent   bool // something went to the server: there is a transaction to end
	ended  bool
}

func beginPipelined(ctx context.Context, pool *pgxpool.Pool) (*pipelinedTx, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &pipelinedTx{conn: conn, queued: []string{"BEGIN"}}, nil
}

// Ahead queues statements without arguments.
func (p *pipelinedTx) Ahead(stmts ...string) { p.queued = append(p.queued, stmts...) }

func (p *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.queued) == 0 {
		return p.conn.Exec(ctx, sql, args...)
	}
	br, err := p.sendOne(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, closeBatch(br, err)
}

func (p *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if len(p.queued) == 0 {
		return p.conn.Query(ctx, sql, args...)
	}
	br, err := p.sendOne(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, closeBatch(br, err)
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (p *pipelinedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.queued) == 0 {
		return p.conn.QueryRow(ctx, sql, args...)
	}
	br, err := p.sendOne(ctx, sql, args)
	return batchRow{br: br, err: err}
}

// errCommitRolledBack is a COMMIT the server answered with ROLLBACK: a statement
// had failed, and nothing of the transaction was kept.
var errCommitRolledBack = errors.New("postgres: commit rolled back")

// Commit drops the queued savepoints, which change nothing it commits, and commits;
// a transaction that sent nothing has nothing to commit.
func (p *pipelinedTx) Commit(ctx context.Context) error {
	p.queued = nil
	if !p.sent {
		p.end()
		return nil
	}
	tag, err := p.conn.Exec(ctx, "COMMIT")
	p.end()
	if err == nil && tag.String() == "ROLLBACK" {
		err = errCommitRolledBack
	}
	return err
}

// Rollback ends the transaction unless Commit did. A connection it leaves in doubt
// (the server unreachable) is closed, not pooled again.
func (p *pipelinedTx) Rollback(ctx context.Context) error {
	if p.ended {
		return nil
	}
	p.queued = nil
	var err error
	if p.sent {
		_, err = p.conn.Exec(ctx, "ROLLBACK")
	}
	p.end()
	return err
}

// end gives the connection back to the pool, which closes it when it is still in
// a transaction or busy.
func (p *pipelinedTx) end() {
	p.ended = true
	p.conn.Release()
}

// sendOne sends the queued statements and then sql as one batch, reads the queued
// ones' results and returns the batch at sql's.
func (p *pipelinedTx) sendOne(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	var b pgx.Batch
	b.Queue(sql, args...)
	return p.send(ctx, &b)
}

// send sends the queued statements and then b's as one batch, reads the queued ones'
// results and returns the batch at b's first.
func (p *pipelinedTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	n := len(p.queued)
	if n > 0 {
		queued := make([]*pgx.QueuedQuery, n)
		for i, s := range p.queued {
			queued[i] = &pgx.QueuedQuery{SQL: s}
		}
		b.QueuedQueries = append(queued, b.QueuedQueries...)
		p.queued = p.queued[:0]
	}
	p.sent = true
	br := p.conn.SendBatch(ctx, b)
	for range n {
		if _, err := br.Exec(); err != nil {
			return nil, closeBatch(br, err)
		}
	}
	return br, nil
}

// closeBatch closes br and returns err, or Close's error when err is nil.
func closeBatch(br pgx.BatchResults, err error) error {
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// batchRow is the row of a statement sent in a batch; Scan reads it and closes the batch.
type batchRow struct {
	br  pgx.BatchResults
	err error
}

func (r batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return closeBatch(r.br, r.br.QueryRow().Scan(dest...))
}

// batchRows are the rows of a statement sent in a batch; Close closes the batch too.
type batchRows struct {
	pgx.Rows
	br       pgx.BatchResults
	closeErr error
}

func (r *batchRows) Close() {
	r.Rows.Close()
	r.closeErr = closeBatch(r.br, nil)
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.closeErr
}
