package postgres

// RelayLockID exposes the relay's advisory lock to tests that kill its holder.
func RelayLockID(s *Store) int64 { return s.relayLockID }
