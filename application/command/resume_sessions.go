package command

import "context"

// ResumeSessions starts the runtime of every auto-start session, at boot, when this
// node runs every session (no cluster placing them).
func (s *Sessions) ResumeSessions(ctx context.Context) error {
	list, err := s.store.Sessions().ListAutoStart(ctx)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if err := s.run.Resume(ctx, sess.ID()); err != nil {
			s.log.WarnContext(ctx, "could not resume session", "session", sess.ID(), "err", err)
		}
	}
	return nil
}
