package mysqlstore_test

import (
	"database/sql"
	"testing"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore"
	"github.com/warest-go/warest/test/contract"
)

// Pairing generates 812 prekeys: they are written in one transaction, so a failure
// part way (here a trigger refusing the 500th) leaves none, and the next call makes
// them all again from id 1. (sqlstore writes them one statement each.)
func TestPreKeysAreGeneratedInOneTransaction(t *testing.T) {
	t.Parallel()
	contract.MySQLDSN(t) // skips loudly, or fails under WAREST_REQUIRE_MYSQL=1
	sqldb := openMySQL(t)
	c := mysqlstore.New(sqldb, nil)
	d := paired(t, c, "5500").PreKeys
	ctx := t.Context()
	must(t, exec(t, sqldb, "CREATE TRIGGER refuse_prekey_500 BEFORE INSERT ON whatsmeow_pre_keys FOR EACH ROW "+
		"BEGIN IF NEW.key_id = 500 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF; END"))
	if _, err := d.GetOrGenPreKeys(ctx, 812); err == nil {
		t.Fatal("GetOrGenPreKeys succeeded although the 500th insert was refused")
	}
	var stored int
	must(t, sqldb.QueryRowContext(ctx, "SELECT COUNT(*) FROM whatsmeow_pre_keys").Scan(&stored))
	if stored != 0 {
		t.Fatalf("%d prekeys stored after the failed batch, want none", stored)
	}
	must(t, exec(t, sqldb, "DROP TRIGGER refuse_prekey_500"))
	keys, err := d.GetOrGenPreKeys(ctx, 812)
	if err != nil || len(keys) != 812 || keys[0].KeyID != 1 || keys[811].KeyID != 812 {
		t.Fatalf("after the failure: %d keys, %v; want ids 1..812", len(keys), err)
	}
}

func exec(t *testing.T, sqldb *sql.DB, stmt string) error {
	_, err := sqldb.ExecContext(t.Context(), stmt)
	return err
}
