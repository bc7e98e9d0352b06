package sqlite

// DSN is the data source the store opens, with its pragmas (foreign keys on).
var DSN = dsn
