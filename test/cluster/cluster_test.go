// Package cluster_test runs two gateways in one process on one PostgreSQL schema:
// the application as cmd builds it, with session ownership, over the sandbox
// network. (test/e2e runs separate processes.)
package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/store/postgres"
	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
	"github.com/warest-go/warest/test/contract"
)

// runtimes is which node runs each session's connection, as the transports saw
// it; a start while another node runs the session is a double connection.
type runtimes struct {
	mu      sync.Mutex
	running map[string]string // session → node
	starts  map[string][]string
	doubles []string
}

func (r *runtimes) start(node, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if other, ok := r.running[id]; ok && other != node {
		r.doubles = append(r.doubles, fmt.Sprintf("%s started %s while %s ran it", node, id, other))
	}
	r.running[id] = node
	r.starts[id] = append(r.starts[id], node)
}

func (r *runtimes) stop(node, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[id] == node {
		delete(r.running, id)
	}
}

// on lists the sessions node runs, sorted.
func (r *runtimes) on(node string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for id, n := range r.running {
		if n == node {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (r *runtimes) double() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.doubles)
}

// transport is one node's view of the shared sandbox network, reporting its
// starts and stops.
type transport struct {
	*sandbox.Network
	node string
	seen *runtimes
}

func (t transport) Start(ctx context.Context, id string, sink ports.TransportSink) error {
	t.seen.start(t.node, id)
	return t.Network.Start(ctx, id, sink)
}

func (t transport) Stop(ctx context.Context, id string) error {
	err := t.Network.Stop(ctx, id)
	t.seen.stop(t.node, id)
	return err
}

// partitionable is a store whose heartbeats and renewals fail once cut: the node
// is cut off from the database's leases while the rest of it runs on.
type partitionable struct {
	ports.Store
	cut *atomic.Bool
}

func (p partitionable) Leases() ports.LeaseRepository { return cutLeases{p.Store.Leases(), p.cut} }

type cutLeases struct {
	ports.LeaseRepository
	cut *atomic.Bool
}

var errCut = fault.New(fault.KindUnavailable, "", "partitioned")

func (c cutLeases) Heartbeat(ctx context.Context, b ports.NodeBeat) error {
	if c.cut.Load() {
		return errCut
	}
	return c.LeaseRepository.Heartbeat(ctx, b)
}

func (c cutLeases) Renew(ctx context.Context, node string, now, until time.Time) ([]ports.Lease, error) {
	if c.cut.Load() {
		return nil, errCut
	}
	return c.LeaseRepository.Renew(ctx, node, now, until)
}

const ttl = 900 * time.Millisecond

func startNode(t *testing.T, store ports.Store, net *sandbox.Network, seen *runtimes, id string) *application.App {
	t.Helper()
	app := application.New(application.Config{Cluster: &cluster.Config{NodeID: id, Addr: "http://" + id, TTL: ttl, MaxMoves: 1}},
		application.Deps{Store: store, Transport: transport{net, id, seen}, QR: appworld.FakeQR{}, Sender: nopSender{},
			Renderer: appworld.Renderer{}, Clock: appworld.RealClock{}, IDs: appworld.ULIDs{}, Log: slog.New(slog.DiscardHandler)})
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	return app
}

type nopSender struct{}

func (nopSender) Send(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) {
	return ports.WebhookResponse{Status: 200}, nil
}

// Two nodes on one PostgreSQL: every session runs on exactly one of them; the
// second gets its share over time; when the first is cut off from the leases, it
// stops its sessions before they run out and the second takes them all over.
func TestTwoNodesShareSessionsAndTakeOver(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t)
	pg, err := postgres.Open(t.Context(), postgres.Config{URL: contract.PostgresSchemaURL(t)}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Close() })
	ids := []string{"s1", "s2", "s3", "s4"}
	for _, id := range ids {
		s, _ := session.New(id, "OWNER", time.Now())
		if err := pg.Sessions().Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	net := sandbox.NewNetwork(sandbox.Config{}, appworld.RealClock{})
	t.Cleanup(func() { _ = net.Close(context.Background()) })
	seen := &runtimes{running: map[string]string{}, starts: map[string][]string{}}
	cut := &atomic.Bool{}
	startNode(t, partitionable{pg, cut}, net, seen, "A")
	// Claims stop at an interval's end and go on at once (a loaded box may take
	// longer than one interval for the four).
	appworld.Eventually(t, 20*time.Second, func() bool { return slices.Equal(seen.on("A"), ids) },
		"A alone runs %v; want every session", seen.on("A"))
	startNode(t, pg, net, seen, "B")
	appworld.Eventually(t, 20*time.Second, func() bool { return len(seen.on("A")) == 2 && len(seen.on("B")) == 2 },
		"the sessions never split 2/2: A %v, B %v", seen.on("A"), seen.on("B"))

	cut.Store(true) // A can no longer renew
	appworld.Eventually(t, 20*time.Second, func() bool { return len(seen.on("A")) == 0 && len(seen.on("B")) == 4 },
		"B never took every session over: A %v, B %v", seen.on("A"), seen.on("B"))
	if d := seen.double(); len(d) != 0 {
		t.Fatalf("a session ran on two nodes at once: %v", d)
	}
	owners := map[string]string{}
	for _, id := range ids {
		o, ok, err := pg.Leases().Owner(t.Context(), id, time.Now())
		if err != nil || !ok {
			t.Fatalf("owner of %s: %v %v", id, ok, err)
		}
		owners[id] = o.NodeID
	}
	for id, node := range owners {
		if node != "B" {
			t.Fatalf("owners %v: %s is not B's", owners, id)
		}
	}
}

// Nodes started at once on a fresh database all seed the admin: one creates it (and
// the one generated password and key), the others find it; none fails to start.
func TestNodesStartingTogetherSeedOneAdmin(t *testing.T) {
	t.Parallel()
	contract.PostgresURL(t)
	url := contract.PostgresSchemaURL(t)
	const nodes = 6
	apps := make([]*application.App, nodes)
	for i := range apps {
		pg, err := postgres.Open(t.Context(), postgres.Config{URL: url}, contract.Sealer{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = pg.Close() })
		apps[i] = application.New(application.Config{}, application.Deps{Store: pg, Transport: sandbox.NewNetwork(sandbox.Config{}, appworld.RealClock{}),
			QR: appworld.FakeQR{}, Sender: nopSender{}, Renderer: appworld.Renderer{}, Clock: appworld.RealClock{}, IDs: appworld.ULIDs{},
			Log: slog.New(slog.DiscardHandler)})
	}
	results := make([]command.SeedResult, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, app := range apps {
		wg.Go(func() {
			<-start
			results[i], errs[i] = app.Commands.Users.SeedAdmin(t.Context(), "", "", "")
		})
	}
	close(start)
	wg.Wait()
	var passwords, keys []string
	for i := range nodes {
		if errs[i] != nil {
			t.Errorf("node %d: %v", i, errs[i])
		}
		if p := results[i].GeneratedPassword; p != "" {
			passwords = append(passwords, p)
		}
		if k := results[i].GeneratedKey; k != "" {
			keys = append(keys, k)
		}
	}
	if len(passwords) != 1 || len(keys) != 1 {
		t.Fatalf("generated passwords %d and keys %d; want one of each, by the node that created the admin", len(passwords), len(keys))
	}
	p, err := apps[0].Queries.Principals.Authenticate(t.Context(), keys[0])
	if err != nil || !p.User.IsAdmin() {
		t.Fatalf("the generated key authenticates %+v, %v; want the admin", p, err)
	}
}
