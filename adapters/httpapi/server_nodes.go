package httpapi

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/domain/fault"
)

// Nodes administers the gateways sharing the store (application/cluster).
type Nodes interface {
	List(ctx context.Context) ([]cluster.NodeView, error)
	Drain(ctx context.Context, nodeID string) error
	Now() time.Time
}

func (h *handlers) registerServerNodes() {
	const tag = "Server"
	register(h, route{id: "getServerNodes", method: http.MethodGet, path: "/api/v1/server/nodes", tag: tag,
		summary: "List the nodes (admin)",
		description: "The gateways sharing this database that heartbeat within the lease TTL, each with the sessions it owns " +
			"(their fencing token and how long it has held them). On SQLite and MySQL there is one node.",
		access: accessAdmin}, h.listNodes)
	register(h, route{id: "postServerNodeDrain", method: http.MethodPost, path: "/api/v1/server/nodes/{id}/drain", tag: tag,
		summary: "Drain a node (admin)",
		description: "The node gives its sessions away a few per interval (each disconnected before another node takes it) " +
			"and claims no new ones, e.g. before maintenance. Any node may be asked. 404 for a node not known.",
		access: accessAdmin, errors: []int{http.StatusNotFound}}, h.drainNode)
}

type nodeLease struct {
	SessionID  string  `json:"sessionId"`
	Token      int64   `json:"token" doc:"fencing token: grows on every takeover"`
	AcquiredAt string  `json:"acquiredAt" doc:"UTC, ISO 8601"`
	ExpiresAt  string  `json:"expiresAt" doc:"UTC, ISO 8601; renewed every third of the TTL"`
	AgeSeconds float64 `json:"ageSeconds" doc:"how long this node has held the session"`
}

type nodeDTO struct {
	ID       string      `json:"id"`
	Addr     string      `json:"addr" doc:"base URL other nodes reach its API on"`
	Self     bool        `json:"self" doc:"the node that answered"`
	Draining bool        `json:"draining"`
	SeenAt   string      `json:"seenAt" doc:"last heartbeat, UTC, ISO 8601"`
	Sessions int         `json:"sessions"`
	Leases   []nodeLease `json:"leases"`
}

type nodesResult struct {
	Nodes     []nodeDTO `json:"nodes"`
	Timestamp int64     `json:"timestamp"`
}

func (h *handlers) listNodes(ctx context.Context, _ *struct{}) (*Response[nodesResult], error) {
	if h.nodes == nil {
		return nil, fault.New(fault.KindUnavailable, "", "this server does not track nodes")
	}
	views, err := h.nodes.List(ctx)
	if err != nil {
		return nil, err
	}
	now := h.nodes.Now()
	res := nodesResult{Nodes: make([]nodeDTO, len(views)), Timestamp: now.Unix()}
	for i, v := range views {
		n := nodeDTO{ID: v.ID, Addr: v.Addr, Self: v.Self, Draining: v.Draining, SeenAt: v.SeenAt.UTC().Format(isoMillis),
			Sessions: v.Sessions, Leases: make([]nodeLease, len(v.Leases))}
		for j, l := range v.Leases {
			n.Leases[j] = nodeLease{SessionID: l.SessionID, Token: l.Token, AcquiredAt: l.AcquiredAt.UTC().Format(isoMillis),
				ExpiresAt: l.ExpiresAt.UTC().Format(isoMillis), AgeSeconds: math.Round(now.Sub(l.AcquiredAt).Seconds()*10) / 10}
		}
		res.Nodes[i] = n
	}
	return success("Nodes fetched", res), nil
}

type drainInput struct {
	ID string `path:"id" maxLength:"191" doc:"node id, as listed by GET /api/v1/server/nodes"`
}

type drainResult struct {
	ID       string `json:"id"`
	Draining bool   `json:"draining"`
}

func (h *handlers) drainNode(ctx context.Context, in *drainInput) (*Response[drainResult], error) {
	if h.nodes == nil {
		return nil, fault.New(fault.KindUnavailable, "", "this server does not track nodes")
	}
	if err := h.nodes.Drain(ctx, in.ID); err != nil {
		return nil, err
	}
	loggerFrom(ctx).InfoContext(ctx, "node drain requested", "node", in.ID, "by", principal(ctx).User.Username)
	return success("Node draining", drainResult{ID: in.ID, Draining: true}), nil
}
