package postgres

import (
	"context"

	"github.com/warest-go/warest/adapters/postgres/internal/db"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

type sessions struct{ r *repos }

func (s sessions) Create(ctx context.Context, sess *session.Session) error {
	row, err := toSessionRow(sess.Snapshot(), s.r.sealer)
	if err != nil {
		return err
	}
	n, err := s.r.q.CreateSession(ctx, row)
	if err != nil {
		return wrap(err, "create session")
	}
	if n == 0 {
		return fault.Conflict(fault.ReasonSessionExists, "session %s already exists", sess.ID())
	}
	return nil
}

func (s sessions) Get(ctx context.Context, id string) (*session.Session, error) {
	row, err := s.r.q.GetSession(ctx, id)
	if err != nil {
		return nil, notFound(err, fault.ReasonSessionNotFound, "session "+id)
	}
	return sessionToDomain(row, s.r.sealer)
}

// Update locks the row (SELECT ... FOR UPDATE) so concurrent updates queue up.
func (s sessions) Update(ctx context.Context, id string, fn func(*session.Session) error) (*session.Session, error) {
	var out *session.Session
	err := s.r.atomic(ctx, func(r *repos) error {
		cur, err := r.q.GetSessionForUpdate(ctx, id)
		if err != nil {
			return notFound(err, fault.ReasonSessionNotFound, "session "+id)
		}
		sess, err := sessionToDomain(cur, r.sealer)
		if err != nil {
			return err
		}
		if err := fn(sess); err != nil {
			return err
		}
		row, err := toSessionRow(sess.Snapshot(), r.sealer)
		if err != nil {
			return err
		}
		if _, err := r.q.UpdateSession(ctx, db.UpdateSessionParams(row)); err != nil {
			return wrap(err, "update session")
		}
		out = sess
		return nil
	})
	return out, err
}

func (s sessions) Delete(ctx context.Context, id string) error {
	n, err := s.r.q.DeleteSession(ctx, id)
	if err != nil {
		return wrap(err, "delete session")
	}
	if n == 0 {
		return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
	}
	return nil
}

func (s sessions) List(ctx context.Context, owner string) ([]*session.Session, error) {
	var rows []db.Session
	var err error
	if owner == "" {
		rows, err = s.r.q.ListSessions(ctx)
	} else {
		rows, err = s.r.q.ListSessionsByOwner(ctx, owner)
	}
	if err != nil {
		return nil, wrap(err, "list sessions")
	}
	return sessionsToDomain(rows, s.r.sealer)
}

func (s sessions) ListAutoStart(ctx context.Context) ([]*session.Session, error) {
	rows, err := s.r.q.ListAutoStartSessions(ctx)
	if err != nil {
		return nil, wrap(err, "list auto-start sessions")
	}
	return sessionsToDomain(rows, s.r.sealer)
}

func toSessionRow(s session.Snapshot, sealer ports.SecretSealer) (db.CreateSessionParams, error) {
	secret, err := sealSecret(s.Webhook.Secret, sealer)
	if err != nil {
		return db.CreateSessionParams{}, err
	}
	row := db.CreateSessionParams{
		ID: s.ID, Owner: s.Owner, Status: string(s.Status), LastError: s.LastError,
		LastConnAt: s.LastConnAt, WebhookUrl: s.Webhook.URL, WebhookSecret: secret,
		AutoStart: s.AutoStart, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	if s.Me != nil {
		row.MeJid = &s.Me.JID
		row.MeLid, row.MeName = s.Me.LID, s.Me.Name
	}
	return row, nil
}

func sessionToDomain(row db.Session, sealer ports.SecretSealer) (*session.Session, error) {
	secret, err := openSecret(row.WebhookSecret, sealer)
	if err != nil {
		return nil, err
	}
	snap := session.Snapshot{
		ID: row.ID, Owner: row.Owner, Status: session.Status(row.Status), LastError: row.LastError,
		LastConnAt: toUTCPtr(row.LastConnAt), Webhook: session.Webhook{URL: row.WebhookUrl, Secret: secret},
		AutoStart: row.AutoStart, CreatedAt: toUTC(row.CreatedAt), UpdatedAt: toUTC(row.UpdatedAt),
	}
	if row.MeJid != nil {
		snap.Me = &session.Identity{JID: *row.MeJid, LID: row.MeLid, Name: row.MeName}
	}
	return session.Rehydrate(snap), nil
}

func sessionsToDomain(rows []db.Session, sealer ports.SecretSealer) ([]*session.Session, error) {
	out := make([]*session.Session, 0, len(rows))
	for _, row := range rows {
		s, err := sessionToDomain(row, sealer)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// An empty secret is stored empty: there is nothing to protect, and "no secret" stays
// visible without the key.
func sealSecret(plain string, sealer ports.SecretSealer) (string, error) {
	if plain == "" {
		return "", nil
	}
	sealed, err := sealer.Seal(plain)
	if err != nil {
		return "", wrap(err, "seal webhook secret")
	}
	return sealed, nil
}

func openSecret(sealed string, sealer ports.SecretSealer) (string, error) {
	if sealed == "" {
		return "", nil
	}
	plain, err := sealer.Open(sealed)
	if err != nil {
		return "", wrap(err, "open webhook secret")
	}
	return plain, nil
}
