package mysql_test

import (
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/migrations"
	"github.com/warest-go/warest/test/contract"
)

// The schema starts at 00016 (the version the other dialects had when MySQL came),
// then 00017 adds whatsmeow's device store: status lists them pending on a new
// database and applied once a store opened it;
// down drops every table and up builds them again for a store to open.
func TestMigrationsStatusDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := contract.MySQLDatabaseDSN(t)
	list, err := mysql.Migrations(ctx, mysql.Config{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Version != 16 || list[1].Version != 17 || list[2].Version != 18 ||
		list[0].AppliedAt != nil || list[1].AppliedAt != nil || list[2].AppliedAt != nil {
		t.Fatalf("status of a new database: %+v, want 00016 to 00018 pending", list)
	}
	if err := open(t, dsn).Close(); err != nil {
		t.Fatal(err)
	}
	if list, err = mysql.Migrations(ctx, mysql.Config{DSN: dsn}); err != nil || list[0].AppliedAt == nil || list[1].AppliedAt == nil {
		t.Fatalf("status after open: %+v, %v; want both applied", list, err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectMySQL, db, migrations.MySQL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	var tables int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "+
		"AND TABLE_NAME <> 'goose_db_version'").Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("%d tables after down (%v), want none", tables, err)
	}
	s := open(t, dsn) // migrates up again
	if err := s.LinkDevice(ctx, "nobody", "1@s.whatsapp.net"); err == nil {
		t.Fatal("linked a device to a missing session after up: the foreign key is gone")
	}
	if _, err := s.Sessions().List(ctx, ""); err != nil {
		t.Fatal(err)
	}
}
