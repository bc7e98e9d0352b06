package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// mysqlDSN reads the MySQL/MariaDB connection: WAREST_DB_MYSQL_URL or WAREST_DB_URL
// (a go-sql-driver DSN, user:pass@tcp(host:3306)/db, or a mysql:// URL), else
// WAREST's parts WAREST_DB_HOST, _PORT (3306), _USER, _PASSWORD, _DATABASE (warest),
// each falling back to its legacy MYSQL_* name, and WAREST_DB_SSL=1 (TLS without
// certificate verification, as WAREST). It returns "" when none is set.
func mysqlDSN(e env) (string, error) {
	if raw := e.str("", "WAREST_DB_MYSQL_URL", "WAREST_DB_URL"); raw != "" {
		return mysqlDSNFromURL(raw)
	}
	host := e.str("", "WAREST_DB_HOST", "MYSQL_HOST")
	if host == "" {
		return "", nil
	}
	c := mysql.NewConfig()
	c.Net, c.Addr = "tcp", net.JoinHostPort(host, e.str("3306", "WAREST_DB_PORT", "MYSQL_PORT"))
	c.User = e.str("", "WAREST_DB_USER", "MYSQL_USER")
	c.Passwd = e.str("", "WAREST_DB_PASSWORD", "MYSQL_PASSWORD")
	c.DBName = e.str("warest", "WAREST_DB_DATABASE", "MYSQL_DATABASE")
	if e.str("", "WAREST_DB_SSL") == "1" {
		c.TLSConfig = "skip-verify"
	}
	return c.FormatDSN(), nil
}

// mysqlDSNFromURL accepts a go-sql-driver DSN as it is and turns a
// mysql://user:pass@host:port/db?param=value URL into one.
func mysqlDSNFromURL(raw string) (string, error) {
	if !strings.HasPrefix(raw, "mysql://") && !strings.HasPrefix(raw, "mariadb://") {
		if _, err := mysql.ParseDSN(raw); err != nil {
			return "", fmt.Errorf("WAREST_DB_MYSQL_URL: %w", err)
		}
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("WAREST_DB_MYSQL_URL: %w", err)
	}
	c := mysql.NewConfig()
	c.Net, c.Addr = "tcp", u.Host
	if u.Port() == "" {
		c.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	c.User = u.User.Username()
	c.Passwd, _ = u.User.Password()
	c.DBName = strings.TrimPrefix(u.Path, "/")
	if len(u.Query()) > 0 {
		dsn, err := mysql.ParseDSN(c.FormatDSN() + "?" + u.RawQuery) // the driver's own parameters
		if err != nil {
			return "", fmt.Errorf("WAREST_DB_MYSQL_URL: %w", err)
		}
		c = dsn
	}
	if c.DBName == "" {
		return "", fmt.Errorf("WAREST_DB_MYSQL_URL names no database")
	}
	return c.FormatDSN(), nil
}
