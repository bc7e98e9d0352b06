package command

import "context"

// ResumeSessions starts the runtime of every auto-start session, at boot. Each is
// marked starting first: the status stored before the restart ("open") says nothing
// of what the transport finds now (it may need a QR), and nothing must be sent on it.
func (s *Sessions) ResumeSessions(ctx context.Context) error {
	list, err := s.store.Sessions().ListAutoStart(ctx)
	if err != nil {
		return err
	}
	for _, sess := range list {
		if err := s.markConnecting(ctx, sess.ID()); err != nil {
			s.log.WarnContext(ctx, "could not mark session starting", "session", sess.ID(), "err", err)
			continue
		}
		if err := s.transport.Start(ctx, sess.ID(), s.sink); err != nil {
			s.log.WarnContext(ctx, "could not resume session", "session", sess.ID(), "err", err)
		}
	}
	return nil
}
