package mysql

import "github.com/warest-go/warest/adapters/store"

// Module provides *Store (for DB()), ports.Store and ports.DeviceLinks, given a
// Config and a ports.SecretSealer; the pool is closed on stop.
var Module = store.Module("mysql", Open)
