package main

import (
	"strings"
	"testing"
)

// WAREST_DB_CLIENT=mysql takes WAREST's parts (with the legacy MYSQL_* names), a
// go-sql-driver DSN or a mysql:// URL, with either transport (whatsmeow's device
// store on MySQL is adapters/whatsmeow/mysqlstore).
func TestConfigReadsMySQLConnection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"parts", map[string]string{"WAREST_DB_HOST": "db", "WAREST_DB_USER": "u", "WAREST_DB_PASSWORD": "p@ss:/",
			"WAREST_DB_DATABASE": "wa"}, "u:p@ss:/@tcp(db:3306)/wa"},
		{"legacy parts and TLS", map[string]string{"MYSQL_HOST": "db", "MYSQL_PORT": "3307", "MYSQL_USER": "u",
			"WAREST_DB_SSL": "1"}, "u@tcp(db:3307)/warest?tls=skip-verify"},
		{"DSN", map[string]string{"WAREST_DB_MYSQL_URL": "u:p@tcp(db:3306)/wa?timeout=5s"}, "u:p@tcp(db:3306)/wa?timeout=5s"},
		{"URL", map[string]string{"WAREST_DB_URL": "mysql://u:p%40ss@db/wa?timeout=5s"}, "u:p@ss@tcp(db:3306)/wa?timeout=5s"},
		{"whatsmeow", map[string]string{"WAREST_DB_HOST": "db", "WAREST_DB_USER": "u", "WAREST_TRANSPORT": "whatsmeow"}, "u@tcp(db:3306)/warest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"WAREST_DB_CLIENT": "mariadb", "WAREST_TRANSPORT": "sandbox"}
			for k, v := range tc.env {
				env[k] = v
			}
			c, err := loadConfig(lookup(env))
			if err != nil {
				t.Fatal(err)
			}
			if c.DBClient != "mysql" || c.MySQLDSN != tc.want {
				t.Errorf("client %q, DSN %q; want mysql, %q", c.DBClient, c.MySQLDSN, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		says string
	}{
		{"no connection", map[string]string{"WAREST_TRANSPORT": "sandbox"}, "WAREST_DB_MYSQL_URL or WAREST_DB_HOST"},
		{"URL without a database", map[string]string{"WAREST_TRANSPORT": "sandbox", "WAREST_DB_MYSQL_URL": "mysql://u@db:3306"}, "names no database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"WAREST_DB_CLIENT": "mysql"}
			for k, v := range tc.env {
				env[k] = v
			}
			if _, err := loadConfig(lookup(env)); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want one saying %q", err, tc.says)
			}
		})
	}
}
