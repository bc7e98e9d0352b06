package mysql

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/go-sql-driver/mysql"

	"github.com/warest-go/warest/adapters/store"
)

// dialect is how MySQL and MariaDB report what the shared repositories tell apart.
var dialect = &store.Dialect{Name: "mysql", NoRows: sql.ErrNoRows, Unavailable: unavailable,
	ForeignKeyViolation: isForeignKeyViolation, Aborted: isDeadlock,
	Lanes: 2, // as PostgreSQL: a pool of many connections
	// A multi-row insert reads its rows from a JSON array whose text each column's
	// JSON_EXTRACT parses again (see CreateDeliveries): small batches keep that short.
	BatchRows: 16}

// Server error numbers (the same in MySQL and MariaDB).
const (
	errDiskFull          = 1021
	errTooManyConns      = 1040
	errServerShutdown    = 1053
	errDupEntry          = 1062
	errTableFull         = 1114
	errLockWaitTimeout   = 1205
	errDeadlock          = 1213
	errNoReferencedRow   = 1216
	errReadOnly          = 1290 // --read-only (MySQL)
	errQueryInterrupted  = 1317
	errNoReferencedRow2  = 1452
	errReadOnlyTx        = 1792
	errReadOnlyMode      = 1836
	errConnectionKilled  = 1927 // MariaDB
	errClientIdleTimeout = 4031 // MySQL 8
)

// unavailable reports whether err says the server is unreachable, shutting down,
// read-only, out of resources or asks for a retry (lock wait, deadlock), rather than
// refusing the statement itself.
func unavailable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errDiskFull, errTooManyConns, errServerShutdown, errTableFull, errLockWaitTimeout, errDeadlock,
			errReadOnly, errQueryInterrupted, errReadOnlyTx, errReadOnlyMode, errConnectionKilled, errClientIdleTimeout:
			return true
		}
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// isDeadlock: InnoDB rolls back the whole transaction of a deadlock's victim.
func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == errDeadlock
}

func isForeignKeyViolation(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == errNoReferencedRow || me.Number == errNoReferencedRow2)
}

func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == errDupEntry
}
