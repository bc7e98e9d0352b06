package mysql

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// ErrOtherNode is Open's error when another gateway holds the database, and Ping's
// when this one lost it to another (its lock connection dropped).
var ErrOtherNode = errors.New("mysql: another WAREST node is using this database; " +
	"on MySQL/MariaDB one node serves a database (several nodes need PostgreSQL)")

// nodeLock keeps a database to one gateway: a named lock held on a connection of its
// own. The server frees it when the connection ends: at once when the process dies,
// but also when the server restarts or drops the connection (wait_timeout), so the
// lock is checked every interval, which also keeps the connection from idling out,
// and taken again if it was lost.
type nodeLock struct {
	name     string
	db       *sql.DB
	mu       sync.Mutex
	conn     *sql.Conn
	err      error // ErrOtherNode once another took the lock
	stop     chan struct{}
	finished chan struct{}
	once     sync.Once // release
}

func takeNodeLock(ctx context.Context, db *sql.DB, name string, wait, interval time.Duration) (*nodeLock, error) {
	conn, err := getLock(ctx, db, name, wait)
	if errors.Is(err, errLockBusy) {
		return nil, ErrOtherNode
	}
	if err != nil {
		return nil, err
	}
	l := &nodeLock{name: name, db: db, conn: conn, stop: make(chan struct{}), finished: make(chan struct{})}
	go l.keep(interval)
	return l, nil
}

func (l *nodeLock) keep(interval time.Duration) {
	defer close(l.finished)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.check()
		}
	}
}

// check confirms the lock is still this node's, or takes it again.
func (l *nodeLock) check() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		var held sql.NullBool
		err := l.conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", l.name).Scan(&held)
		if err == nil && held.Bool {
			return
		}
		discard(l.conn)
		l.conn = nil
	}
	conn, err := getLock(ctx, l.db, l.name, 0)
	switch {
	case err == nil:
		l.conn, l.err = conn, nil
	case errors.Is(err, errLockBusy):
		l.err = ErrOtherNode
	} // the server is unreachable: Ping says so itself; try again next time
}

// lost is ErrOtherNode when another node took the lock.
func (l *nodeLock) lost() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// release lets go of the lock; a store closed twice releases once.
func (l *nodeLock) release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.finished
		if l.conn != nil {
			releaseLock(l.conn, l.name)
		}
	})
}
