package postgres

import "context"

// RelayLockID exposes the relay's advisory lock to tests that kill its holder.
func RelayLockID(s *Store) int64 { return s.relayLockID }

// AnalyzeOutgrown runs one round of the statistics keeper.
func AnalyzeOutgrown(ctx context.Context, s *Store) ([]string, error) { return s.analyzeOutgrown(ctx) }

// StopStatistics ends the statistics keeper's own rounds.
func StopStatistics(s *Store) {
	s.stopStats()
	<-s.statsDone
}
