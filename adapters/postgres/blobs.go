package postgres

import (
	"context"
	"time"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
)

func (m messages) ListSpentBlobs(ctx context.Context, before time.Time, limit int) ([]string, error) {
	keys, err := m.r.q.ListSpentMessageBlobs(ctx, db.ListSpentMessageBlobsParams{Before: before, Lim: toLimit(limit)})
	if err != nil {
		return nil, wrap(err, "list spent blobs")
	}
	return keys, nil
}

func (m messages) MarkBlobDeleted(ctx context.Context, key string) error {
	if err := m.r.q.MarkMessageBlobDeleted(ctx, key); err != nil {
		return wrap(err, "mark blob deleted")
	}
	return nil
}

func (m messages) ListSessionBlobs(ctx context.Context, sessionID string) ([]string, error) {
	keys, err := m.r.q.ListSessionMessageBlobs(ctx, sessionID)
	if err != nil {
		return nil, wrap(err, "list blobs of session")
	}
	return keys, nil
}
