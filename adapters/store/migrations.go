package store

import (
	"context"
	"path"
	"time"

	"github.com/pressly/goose/v3"
)

// Migration is one embedded migration and when the database applied it (nil: pending).
type Migration struct {
	Version   int64
	Name      string
	AppliedAt *time.Time
}

// MigrationStatus lists the provider's migrations against its database, changing
// nothing but goose's version table, which it creates when missing.
func MigrationStatus(ctx context.Context, p *goose.Provider) ([]Migration, error) {
	status, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Migration, len(status))
	for i, s := range status {
		out[i] = Migration{Version: s.Source.Version, Name: path.Base(s.Source.Path)}
		if s.State == goose.StateApplied {
			at := s.AppliedAt.UTC()
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}
