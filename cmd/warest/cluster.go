package main

import (
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/warest-go/warest/application/cluster"
)

// loadCluster reads the node's identity and lease timing (ours). Every store runs
// the same ownership code: on SQLite and MySQL the one node owns every session.
//
//	WAREST_NODE_ID    this node's id (default: random per process on PostgreSQL; "local" on
//	                  SQLite and MySQL, where one process serves the database, so a node restarted
//	                  after a crash finds its sessions' leases its own and resumes them at once)
//	WAREST_NODE_ADDR  base URL other nodes reach this one's API on (default http://127.0.0.1:$PORT)
//	WAREST_LEASE_TTL  how long a session's lease outlives its node's last renewal (default 15s)
func loadCluster(e env, port, dbClient string) (cluster.Config, error) {
	single := ""
	if dbClient != "postgres" {
		single = "local"
	}
	c := cluster.Config{NodeID: e.str(single, "WAREST_NODE_ID"),
		Addr: e.str("http://"+net.JoinHostPort("127.0.0.1", port), "WAREST_NODE_ADDR")}
	if u, err := url.Parse(c.Addr); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("WAREST_NODE_ADDR must be an http(s) base URL, got %q", c.Addr)
	}
	raw := e.str("15s", "WAREST_LEASE_TTL")
	ttl, err := time.ParseDuration(raw)
	if err != nil || ttl < 3*time.Second {
		return c, fmt.Errorf("WAREST_LEASE_TTL must be a duration of at least 3s (e.g. 15s), got %q", raw)
	}
	c.TTL = ttl
	return c, nil
}
