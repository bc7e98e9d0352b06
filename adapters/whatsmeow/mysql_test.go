package whatsmeow

import (
	"testing"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/test/contract"
)

// The transport suite on test/waserver with whatsmeow's device store on MySQL
// (mysqlstore, ours: whatsmeow has no MySQL dialect), sharing a fresh database with
// the gateway's store as in the gateway.
func TestTransportContractOnTestServerMySQL(t *testing.T) {
	t.Parallel()
	contract.MySQLDSN(t) // skips loudly, or fails under WAREST_REQUIRE_MYSQL=1
	runOnTestServer(t, openMySQLDB)
}

func openMySQLDB(t *testing.T) Database {
	t.Helper()
	s, err := mysql.Open(t.Context(), mysql.Config{DSN: contract.MySQLDatabaseDSN(t)}, plainSealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return Database{DB: s.DB(), Dialect: s.Dialect(), Devices: s}
}
