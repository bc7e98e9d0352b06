package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/sandbox/remote"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

// cluster is several gateways, each its own process, on one fresh PostgreSQL
// schema and one shared sandbox network (`warest sandbox serve`). The network
// allows one connection per linked device and names the gateway behind every
// connection, send attempt and stream replacement, so a test can tell which node
// did what without trusting the nodes.
type cluster struct {
	t     *testing.T
	nodes []*server
	// net watches the network; it is a client of its own that starts nothing.
	net *remote.Client
}

// startCluster launches n gateways; env adds to each one's environment. It skips
// loudly without WAREST_TEST_POSTGRES_URL.
func startCluster(t *testing.T, n int, env map[string]string) *cluster {
	t.Helper()
	sandboxURL := startSandbox(t)
	common := map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, contract.PostgresURL(t)),
		"WAREST_SANDBOX_URL": sandboxURL, "WAREST_SEND_WAIT_MS": "0", "SPAM_COOLDOWN_MS": "0",
		"RATE_LIMIT_MAX": "1000000", "QUOTA_MAX": "1000000"}
	maps.Copy(common, env)
	c := &cluster{t: t, net: remote.NewClient(sandboxURL)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.net.Close(ctx)
	})
	for range n {
		s := newServer(t, common)
		s.Env = append(s.Env, "WAREST_NODE_ADDR="+s.URL)
		c.nodes = append(c.nodes, s)
	}
	var wg sync.WaitGroup
	for _, s := range c.nodes {
		wg.Go(func() { s.launch() })
	}
	wg.Wait()
	return c
}

// nodeOf is the index of the node a network client id belongs to, -1 if none:
// a gateway's client id starts with its listen address and a "/".
func (c *cluster) nodeOf(clientID string) int {
	return slices.IndexFunc(c.nodes, func(s *server) bool {
		return strings.HasPrefix(clientID, strings.TrimPrefix(s.URL, "http://")+"/")
	})
}

// openSession creates a session through node i and links it to phone, and waits
// until the network has it connected and the node has stored it open.
func (c *cluster) openSession(i int, id, phone string) {
	c.t.Helper()
	s := c.nodes[i]
	if status, e := s.call("GET", "/api/v1/session/create?sessionId="+id, adminKey, nil); status != http.StatusAccepted && status != http.StatusOK {
		c.t.Fatalf("create %s on node %d: %d %+v", id, i, status, e)
	}
	eventually(c.t, "a QR for "+id, func() bool {
		_, ok := c.net.CurrentQR(id)
		return ok
	})
	qr, _ := c.net.CurrentQR(id)
	if err := c.net.Scan(id, qr, phone, "Phone "+phone); err != nil {
		c.t.Fatalf("scan %s: %v", id, err)
	}
	eventually(c.t, id+" connected", func() bool { return c.connectedOn(id) >= 0 })
	eventually(c.t, id+" open on node", func() bool {
		_, e := s.call("GET", "/api/v1/session/create?sessionId="+id, adminKey, nil)
		return e.Code == 1104
	})
}

// connectedOn is the node whose connection to the session's device is up, -1 if none.
func (c *cluster) connectedOn(sessionID string) int {
	for _, conn := range c.net.Connections() {
		if conn.SessionID == sessionID && conn.Connected {
			return c.nodeOf(conn.Client)
		}
	}
	return -1
}

// connectionsPerNode counts the connected sessions of each node.
func (c *cluster) connectionsPerNode() []int {
	per := make([]int, len(c.nodes))
	for _, conn := range c.net.Connections() {
		if i := c.nodeOf(conn.Client); conn.Connected && i >= 0 {
			per[i]++
		}
	}
	return per
}

// send accepts a text for sessionID on node i and returns its message id.
func (c *cluster) send(i int, sessionID, to, text string) string {
	c.t.Helper()
	status, e := c.nodes[i].call("POST", "/api/v1/messages/send/text", adminKey, map[string]any{"sessionId": sessionID, "to": to, "message": text})
	if status != http.StatusOK && status != http.StatusAccepted {
		c.t.Fatalf("send on node %d: %d %+v", i, status, e)
	}
	return result[struct{ MessageID string }](c.t, e).MessageID
}

// senders maps each message id that reached the network for sessionID to the
// nodes that sent it, one entry per attempt (repeats included).
func (c *cluster) senders(sessionID string) map[string][]int {
	out := map[string][]int{}
	for _, a := range c.net.Attempts(sessionID) {
		out[a.ID] = append(out[a.ID], c.nodeOf(a.Client))
	}
	return out
}

// waitSent waits until every id reached the network for sessionID.
func (c *cluster) waitSent(sessionID string, ids []string) {
	c.t.Helper()
	missing := ids
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got := c.senders(sessionID)
		missing = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return len(got[id]) > 0 })
		if len(missing) == 0 {
			return
		}
	}
	c.t.Fatalf("%d of %d messages of %s never reached the network (connected on node %d), e.g. %v",
		len(missing), len(ids), sessionID, c.connectedOn(sessionID), missing[:min(3, len(missing))])
}

// checkOneNodePerID fails the test for any id of sessionID that reached the
// network from two nodes.
func (c *cluster) checkOneNodePerID(sessionID string) {
	c.t.Helper()
	for id, nodes := range c.senders(sessionID) {
		if distinct := slices.Compact(slices.Sorted(slices.Values(nodes))); len(distinct) > 1 {
			c.t.Errorf("message %s of %s reached the network from nodes %v", id, sessionID, nodes)
		}
	}
}

// liveReplacements are the stream replacements between two live gateways: two
// nodes that both believed they held a device. A takeover from a dead node
// (its process gone) is not one.
func (c *cluster) liveReplacements() []ports.SandboxReplacement {
	return slices.DeleteFunc(c.net.Replacements(), func(r ports.SandboxReplacement) bool { return !r.Live })
}

// A session runs on the one node that connected it: sends accepted by any node
// reach the network from that node only, and no node takes the device from it.
func TestClusterSendsOnlyThroughTheNodeHoldingTheDevice(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	c.openSession(0, "busy", "6281400000001")
	if got := c.connectedOn("busy"); got != 0 {
		t.Fatalf("the session created on node 0 is connected on node %d", got)
	}

	var ids []string
	for i := range 30 {
		ids = append(ids, c.send(i%3, "busy", fmt.Sprintf("62814%08d", 100+i%5), fmt.Sprintf("message %d", i)))
	}
	c.waitSent("busy", ids)
	for id, nodes := range c.senders("busy") {
		if slices.ContainsFunc(nodes, func(n int) bool { return n != 0 }) {
			t.Errorf("message %s reached the network from nodes %v, want node 0 only", id, nodes)
		}
	}
	c.checkOneNodePerID("busy")
	if r := c.liveReplacements(); len(r) != 0 {
		t.Fatalf("live gateways replaced each other's streams: %+v", r)
	}
}
