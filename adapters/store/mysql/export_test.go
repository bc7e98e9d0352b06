package mysql

// NodeLockName exposes the node lock's name to tests that take it from the store.
func NodeLockName(database string) string { return lockName("node", database) }
