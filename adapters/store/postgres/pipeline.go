package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipelinedTx is a transaction that sends the statements queued Ahead (the group
// commit's savepoints) in one round trip with the next statement, as a pgx batch:
// on a send's acceptance, one round trip in five. An error of a queued statement
// is the next statement's error; the group commit then fails that call and ends
// the transaction uncommitted, as it does when a savepoint fails on its own.
type pipelinedTx struct {
	pgx.Tx
	queued []string
}

// Ahead queues statements without arguments.
func (p *pipelinedTx) Ahead(stmts ...string) { p.queued = append(p.queued, stmts...) }

// Exec runs statements without arguments, after the queued ones, in one round trip.
func (p *pipelinedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := p.sendQueued(ctx, sql, args)
	if br == nil && err == nil {
		return p.Tx.Exec(ctx, sql, args...)
	}
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	return tag, closeBatch(br, err)
}

func (p *pipelinedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := p.sendQueued(ctx, sql, args)
	if br == nil && err == nil {
		return p.Tx.Query(ctx, sql, args...)
	}
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
	br, err := p.sendQueued(ctx, sql, args)
	if br == nil && err == nil {
		return p.Tx.QueryRow(ctx, sql, args...)
	}
	return batchRow{br: br, err: err}
}

// Commit drops the queued statements: savepoints opened or released just before
// the commit change nothing it commits.
func (p *pipelinedTx) Commit(ctx context.Context) error {
	p.queued = nil
	return p.Tx.Commit(ctx)
}

func (p *pipelinedTx) Rollback(ctx context.Context) error {
	p.queued = nil
	return p.Tx.Rollback(ctx)
}

// sendQueued sends the queued statements and then sql as one batch, and reads the
// results of the queued ones; nil, nil when nothing is queued.
func (p *pipelinedTx) sendQueued(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	if len(p.queued) == 0 {
		return nil, nil
	}
	var b pgx.Batch
	for _, s := range p.queued {
		b.Queue(s)
	}
	b.Queue(sql, args...)
	n := len(p.queued)
	p.queued = p.queued[:0]
	br := p.Tx.SendBatch(ctx, &b)
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
