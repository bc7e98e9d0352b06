package whatsmeow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/types"
)

// devices maps session ids to their linked device JIDs in wa_session_devices
// (migration 00002); whatsmeow keeps the device itself in its own tables.
type devices struct{ db *sql.DB }

func (d devices) lookup(ctx context.Context, sessionID string) (types.JID, bool, error) {
	var raw string
	err := d.db.QueryRowContext(ctx, `SELECT jid FROM wa_session_devices WHERE session_id = $1`, sessionID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return types.JID{}, false, nil
	}
	if err != nil {
		return types.JID{}, false, fmt.Errorf("whatsmeow: look up device: %w", err)
	}
	jid, err := types.ParseJID(raw)
	if err != nil {
		return types.JID{}, false, fmt.Errorf("whatsmeow: stored device JID %q: %w", raw, err)
	}
	return jid, true, nil
}

func (d devices) put(ctx context.Context, sessionID string, jid types.JID) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO wa_session_devices (session_id, jid) VALUES ($1, $2)
		ON CONFLICT (session_id) DO UPDATE SET jid = excluded.jid`, sessionID, jid.String())
	if err != nil {
		return fmt.Errorf("whatsmeow: save device: %w", err)
	}
	return nil
}

func (d devices) remove(ctx context.Context, sessionID string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM wa_session_devices WHERE session_id = $1`, sessionID); err != nil {
		return fmt.Errorf("whatsmeow: forget device: %w", err)
	}
	return nil
}
