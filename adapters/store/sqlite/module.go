package sqlite

import "github.com/warest-go/warest/adapters/store"

// Module provides *Store (for DB()), ports.Store and ports.DeviceLinks, given a
// Config and a ports.SecretSealer; the database is closed on stop.
var Module = store.Module("sqlite", Open)
