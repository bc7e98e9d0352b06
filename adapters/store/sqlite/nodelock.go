package sqlite

import (
	"errors"
	"fmt"
	"os"
)

// ErrOtherNode is Open's error when another process serves the database.
var ErrOtherNode = errors.New("sqlite: another WAREST process is using this database; " +
	"on SQLite one node serves a database (several nodes need PostgreSQL)")

// nodeLock keeps a database file to one process: an exclusive flock on a file next
// to it, which the kernel drops when the process ends, however it ends. SQLite's own
// locks let a second process in, and both would then run every session.
type nodeLock struct{ f *os.File }

func lockNode(dbPath string) (*nodeLock, error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open the node lock: %w", err)
	}
	if err := flock(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &nodeLock{f}, nil
}

// release lets another process in.
func (l *nodeLock) release() error { return l.f.Close() }
