package store

import (
	"context"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

func (r *Repos) Sessions() ports.SessionRepository { return sessions{r} }

type sessions struct{ r *Repos }

func (s sessions) Create(ctx context.Context, sess *session.Session) error {
	row, err := s.toRow(sess.Snapshot())
	if err != nil {
		return err
	}
	n, err := s.r.Q.CreateSession(ctx, row)
	if err != nil {
		return s.r.D.Wrap(err, "create session")
	}
	if n == 0 {
		return fault.Conflict(fault.ReasonSessionExists, "session %s already exists", sess.ID())
	}
	return nil
}

func (s sessions) Get(ctx context.Context, id string) (*session.Session, error) {
	row, err := s.r.Q.GetSession(ctx, id)
	if err != nil {
		return nil, s.r.D.NotFound(err, fault.ReasonSessionNotFound, "session "+id)
	}
	return s.toDomain(row)
}

// Update holds the row (FOR UPDATE, or SQLite's write lock) so concurrent updates queue up.
func (s sessions) Update(ctx context.Context, id string, fn func(*session.Session) error) (*session.Session, error) {
	var out *session.Session
	err := s.r.Atomic(ctx, func(r *Repos) error {
		cur, err := r.Q.GetSessionForUpdate(ctx, id)
		if err != nil {
			return r.D.NotFound(err, fault.ReasonSessionNotFound, "session "+id)
		}
		tx := sessions{r}
		sess, err := tx.toDomain(cur)
		if err != nil {
			return err
		}
		if err := fn(sess); err != nil {
			return err
		}
		row, err := tx.toRow(sess.Snapshot())
		if err != nil {
			return err
		}
		if _, err := r.Q.UpdateSession(ctx, row); err != nil {
			return r.D.Wrap(err, "update session")
		}
		out = sess
		return nil
	})
	return out, err
}

func (s sessions) Delete(ctx context.Context, id string) error {
	n, err := s.r.Q.DeleteSession(ctx, id)
	if err != nil {
		return s.r.D.Wrap(err, "delete session")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
	}
	return nil
}

func (s sessions) List(ctx context.Context, owner string) ([]*session.Session, error) {
	var rows []SessionRow
	var err error
	if owner == "" {
		rows, err = s.r.Q.ListSessions(ctx)
	} else {
		rows, err = s.r.Q.ListSessionsByOwner(ctx, owner)
	}
	if err != nil {
		return nil, s.r.D.Wrap(err, "list sessions")
	}
	return s.toDomains(rows)
}

func (s sessions) ListAutoStart(ctx context.Context) ([]*session.Session, error) {
	rows, err := s.r.Q.ListAutoStartSessions(ctx)
	if err != nil {
		return nil, s.r.D.Wrap(err, "list auto-start sessions")
	}
	return s.toDomains(rows)
}

func (s sessions) toRow(snap session.Snapshot) (SessionRow, error) {
	secret, err := s.r.secrets.seal(snap.Webhook.Secret)
	if err != nil {
		return SessionRow{}, err
	}
	row := SessionRow{
		ID: snap.ID, Owner: snap.Owner, Status: string(snap.Status), LastError: snap.LastError,
		LastConnAt: snap.LastConnAt, WebhookUrl: snap.Webhook.URL, WebhookSecret: secret,
		AutoStart: snap.AutoStart, RejectCalls: snap.Calls.Reject, RejectCallMessage: snap.Calls.Message, HistoryDays: snap.HistoryDays,
		CreatedAt: snap.CreatedAt, UpdatedAt: snap.UpdatedAt,
	}
	if snap.Me != nil {
		row.MeJid = &snap.Me.JID
		row.MeLid, row.MeName = snap.Me.LID, snap.Me.Name
	}
	return row, nil
}

func (s sessions) toDomain(row SessionRow) (*session.Session, error) {
	secret, err := s.r.secrets.open(row.WebhookSecret)
	if err != nil {
		return nil, err
	}
	snap := session.Snapshot{
		ID: row.ID, Owner: row.Owner, Status: session.Status(row.Status), LastError: row.LastError,
		LastConnAt: row.LastConnAt, Webhook: session.Webhook{URL: row.WebhookUrl, Secret: secret},
		AutoStart: row.AutoStart, Calls: session.CallPolicy{Reject: row.RejectCalls, Message: row.RejectCallMessage}, HistoryDays: row.HistoryDays,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	if row.MeJid != nil {
		snap.Me = &session.Identity{JID: *row.MeJid, LID: row.MeLid, Name: row.MeName}
	}
	return session.Rehydrate(snap), nil
}

func (s sessions) toDomains(rows []SessionRow) ([]*session.Session, error) {
	out := make([]*session.Session, 0, len(rows))
	for _, row := range rows {
		sess, err := s.toDomain(row)
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}
