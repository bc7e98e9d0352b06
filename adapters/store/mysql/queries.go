package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/warest-go/warest/adapters/store/mysql/internal/db"
)

// queries is what the store adapter binds: the sqlc statements, and the operations
// MySQL says differently. It has no INSERT … ON CONFLICT DO NOTHING that keeps
// foreign key errors (INSERT IGNORE turns them into warnings), so an insert that
// may meet its own key is a plain INSERT whose duplicate-key error counts as 0 rows;
// a failed statement does not end MySQL's transaction.
type queries struct{ *db.Queries }

// insertOnce makes a duplicate key 0 rows inserted.
func insertOnce(n int64, err error) (int64, error) {
	if isDuplicate(err) {
		return 0, nil
	}
	return n, err
}

func (q queries) CreateUser(ctx context.Context, arg db.CreateUserParams) (int64, error) {
	return insertOnce(q.Queries.CreateUser(ctx, arg))
}

func (q queries) CreateAPIKey(ctx context.Context, arg db.CreateAPIKeyParams) (int64, error) {
	return insertOnce(q.Queries.CreateAPIKey(ctx, arg))
}

func (q queries) CreateSession(ctx context.Context, arg db.CreateSessionParams) (int64, error) {
	return insertOnce(q.Queries.CreateSession(ctx, arg))
}

func (q queries) CreateSubscription(ctx context.Context, arg db.CreateSubscriptionParams) (int64, error) {
	return insertOnce(q.Queries.CreateSubscription(ctx, arg))
}

func (q queries) CreateMessage(ctx context.Context, arg db.CreateMessageParams) (int64, error) {
	return insertOnce(q.Queries.CreateMessage(ctx, arg))
}

func (q queries) CreateDelivery(ctx context.Context, arg db.CreateDeliveryParams) (int64, error) {
	return insertOnce(q.Queries.CreateDelivery(ctx, arg))
}

func (q queries) ParkEvent(ctx context.Context, arg db.ParkEventParams) (int64, error) {
	return insertOnce(q.Queries.ParkEvent(ctx, arg))
}

func (q queries) SaveInboundMessage(ctx context.Context, arg db.SaveInboundMessageParams) (int64, error) {
	return insertOnce(q.Queries.SaveInboundMessage(ctx, arg))
}

// AppendEvent inserts an event and returns its seq; a duplicate id is "no row", as
// the other dialects' RETURNING gives none.
func (q queries) AppendEvent(ctx context.Context, arg db.InsertEventParams) (int64, error) {
	res, err := q.InsertEvent(ctx, arg)
	if isDuplicate(err) {
		return 0, sql.ErrNoRows
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// HitCounter returns the count after the hit: 1 for a new row (1 row affected), else
// the updated count the statement handed back as LAST_INSERT_ID (MySQL has no
// RETURNING).
func (q queries) HitCounter(ctx context.Context, arg db.HitCounterParams) (int64, error) {
	res, err := q.Queries.HitCounter(ctx, arg)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return 1, err
	}
	return res.LastInsertId()
}

// ClaimIdempotencyKey replaces an expired record or inserts a new one; a live record
// is left alone (0 rows). Replacing first takes the row's exclusive lock at once, so
// concurrent claimers of one key queue on it (and the later ones find it live)
// rather than deadlock upgrading the shared lock a duplicate insert takes.
func (q queries) ClaimIdempotencyKey(ctx context.Context, arg db.InsertIdempotencyKeyParams) (int64, error) {
	n, err := q.ReplaceExpiredIdempotencyKey(ctx, db.ReplaceExpiredIdempotencyKeyParams{
		Hash: arg.Hash, SessionID: arg.SessionID, MessageIds: arg.MessageIds, CreatedAt: arg.CreatedAt,
		ExpiresAt: arg.ExpiresAt, Scope: arg.Scope, Key: arg.Key})
	if err != nil || n > 0 {
		return n, err
	}
	return insertOnce(q.InsertIdempotencyKey(ctx, arg))
}

// chatSummary is db.ListChatSummariesRow with the types sqlc cannot infer for
// MySQL's aggregates and subqueries.
type chatSummary struct {
	Chat, LastText, Name    string
	Messages, Unread, Media int64
	FirstAt, LastAt         time.Time
	Pinned                  bool
}

func (q queries) ListChatSummaries(ctx context.Context, sessionID string) ([]chatSummary, error) {
	rows, err := q.Queries.ListChatSummaries(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	out := make([]chatSummary, len(rows))
	for i, r := range rows {
		c := chatSummary{Chat: r.Chat, Messages: r.Messages, Unread: r.Unread, Media: r.Media, Pinned: r.Pinned}
		if c.FirstAt, err = scanned[time.Time](r.FirstAt); err == nil {
			c.LastAt, err = scanned[time.Time](r.LastAt)
		}
		if err == nil {
			c.LastText, err = scannedText(r.LastText)
		}
		if err == nil {
			c.Name, err = scannedText(r.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("chat summary: %w", err)
		}
		out[i] = c
	}
	return out, nil
}

// queueRow is db.QueuedMessagesBySessionRow with Oldest typed.
type queueRow struct {
	SessionID string
	Depth     int64
	Oldest    time.Time
}

func (q queries) QueuedMessagesBySession(ctx context.Context) ([]queueRow, error) {
	rows, err := q.Queries.QueuedMessagesBySession(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]queueRow, len(rows))
	for i, r := range rows {
		oldest, err := scanned[time.Time](r.Oldest)
		if err != nil {
			return nil, fmt.Errorf("queue depth: %w", err)
		}
		out[i] = queueRow{r.SessionID, r.Depth, oldest}
	}
	return out, nil
}

// scanned is a value the driver scanned into an interface{}.
func scanned[T any](v any) (T, error) {
	t, ok := v.(T)
	if !ok {
		return t, fmt.Errorf("got %T, want %T", v, t)
	}
	return t, nil
}

// scannedText is a text column scanned into an interface{}: the driver gives bytes.
func scannedText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := scanned[[]byte](v)
	return string(b), err
}
