package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The takeover benchmark (issue 16): two nodes on one PostgreSQL with 1,000 linked
// sessions each. It reports each node's memory against the same binary idle (the
// nodes themselves before their first session), then kills one node with SIGKILL
// and times how long until every one of its sessions is connected on the survivor
// per the sandbox network. The default lease TTL is set explicitly so the report
// states it. The dead node's leases run out a TTL after its last renewal (at most
// a third of the TTL before the kill), the survivor sees that at its next tick (a
// third of the TTL) and starts the sessions: the takeover is about the TTL plus
// starting 1,000 sessions, which is the span from the first session moved to the
// last.
func TestBenchTakeover(t *testing.T) {
	skipUnlessBench(t)
	const nodes, perNode, ttl = 2, 1000, 15 * time.Second
	env := benchEnv()
	env["WAREST_LEASE_TTL"] = ttl.String()
	c := startCluster(t, nodes, env)
	time.Sleep(5 * time.Second) // boot work done, as idle as it gets
	idle := make([]procMem, nodes)
	for i, s := range c.nodes {
		idle[i] = memOf(t, s)
	}

	start := time.Now()
	ids := c.openMany("tk", nodes*perNode)
	opened := time.Since(start)
	c.settle(ids)
	t.Logf("BENCH takeover: %d sessions created, linked and open in %v (%.0f/s), split %v",
		len(ids), opened.Round(time.Millisecond), float64(len(ids))/opened.Seconds(), c.connectionsPerNode())
	time.Sleep(10 * time.Second) // the links' start-up work done
	var out []string
	per := c.connectionsPerNode()
	for i, s := range c.nodes {
		m := memOf(t, s)
		cost := float64(m.rss-idle[i].rss) / float64(per[i])
		t.Logf("BENCH takeover node %d: %d sessions, RSS %.1f MiB (peak %.1f), idle %.1f MiB: %.1f KiB per session",
			i, per[i], mib(m.rss), mib(m.hwm), mib(idle[i].rss), cost/1024)
		out = append(out, fmt.Sprintf("BenchmarkNodeRSS/node=%d/sessions=%d 1 %.1f rss-MiB %.1f hwm-MiB %.1f idle-MiB %.1f KiB/session",
			i, per[i], mib(m.rss), mib(m.hwm), mib(idle[i].rss), cost/1024))
	}

	dead := nodes - 1 // node 0 stays up: it is the one the harness asks
	lost := c.on(dead)
	lostSet := map[string]bool{}
	for _, id := range lost {
		lostSet[id] = true
	}
	c.nodes[dead].Kill()
	killed := time.Now()
	var first time.Duration
	for {
		moved := 0
		for _, conn := range c.net.Connections() {
			if n := c.nodeOf(conn.Client); conn.Connected && n >= 0 && n != dead && lostSet[conn.SessionID] {
				moved++
			}
		}
		if moved > 0 && first == 0 {
			first = time.Since(killed)
		}
		if moved == len(lost) {
			break
		}
		if time.Since(killed) > ttl+3*time.Minute {
			t.Fatalf("%d of the dead node's %d sessions connected elsewhere after %v", moved, len(lost), time.Since(killed))
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(killed)
	survivor := memOf(t, c.nodes[0])
	t.Logf("BENCH takeover: node %d killed holding %d sessions; all connected on node 0 after %v (lease TTL %v: %v beyond it), the first after %v: starting them took %v; split after %v, node 0 RSS %.1f MiB (peak %.1f)",
		dead, len(lost), took.Round(time.Millisecond), ttl, (took - ttl).Round(time.Millisecond), first.Round(time.Millisecond),
		(took - first).Round(time.Millisecond), c.connectionsPerNode(), mib(survivor.rss), mib(survivor.hwm))
	out = append(out, fmt.Sprintf("BenchmarkTakeover/nodes=%d/sessions=%d/ttl=%v 1 %.3f takeover-s %.3f beyond-ttl-s %.3f restart-s",
		nodes, len(lost), ttl, took.Seconds(), (took-ttl).Seconds(), (took-first).Seconds()))
	writeBench(t, out)
	for i, s := range c.nodes { // a pass says nothing of what the nodes logged (LOG_LEVEL=warn)
		logs := s.Output()
		t.Logf("BENCH takeover node %d logged %d warnings and %d errors", i, strings.Count(logs, "level=WARN"), strings.Count(logs, "level=ERROR"))
	}
}

// procMem is a process's resident memory now and at its peak, in bytes.
type procMem struct{ rss, hwm int64 }

// memOf reads VmRSS and VmHWM of the gateway's process.
func memOf(t *testing.T, s *server) procMem {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	var m procMem
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			m.rss = kb * 1024
		case "VmHWM":
			m.hwm = kb * 1024
		}
	}
	return m
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
