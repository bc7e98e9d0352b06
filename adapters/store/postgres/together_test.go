package postgres

import (
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/warest-go/warest/test/contract"
)

// Rows read in a round of statements run together keep their values, NULLs and
// types for the fn that scans them afterwards, and a row goes to the fn that asked.
func TestRowsOfStatementsRunTogether(t *testing.T) {
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, contract.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tx, err := beginPipelined(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	tg := &together{tx: tx, ctx: ctx, live: 2}
	var wg sync.WaitGroup
	var (
		values [][]any
		scans  []pgtype.Text
		one    string
	)
	wg.Go(func() {
		defer tg.leave()
		rows, err := fork{tg}.Query(ctx, "SELECT n, CASE WHEN n = 2 THEN NULL ELSE 'v' || n END FROM generate_series(1, 3) n")
		if err != nil {
			t.Error(err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				t.Error(err)
			}
			var n int32
			var s pgtype.Text
			if err := rows.Scan(&n, &s); err != nil {
				t.Error(err)
			}
			values, scans = append(values, v), append(scans, s)
		}
		if err := rows.Err(); err != nil || rows.CommandTag().String() != "SELECT 3" {
			t.Errorf("rows end with %v, tag %q", err, rows.CommandTag())
		}
	})
	wg.Go(func() {
		defer tg.leave()
		if err := (fork{tg}).QueryRow(ctx, "SELECT $1::text", "mine").Scan(&one); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	want := [][]any{{int32(1), "v1"}, {int32(2), nil}, {int32(3), "v3"}}
	if len(values) != 3 || one != "mine" {
		t.Fatalf("values %v, row %q", values, one)
	}
	for i := range want {
		if values[i][0] != want[i][0] || values[i][1] != want[i][1] {
			t.Errorf("row %d: values %v, want %v", i, values[i], want[i])
		}
		if scans[i].Valid != (want[i][1] != nil) || scans[i].Valid && scans[i].String != want[i][1] {
			t.Errorf("row %d: scanned %+v, want %v", i, scans[i], want[i][1])
		}
	}
}
