package httpapi_test

import (
	"net/http"
	"testing"
)

// The node routes (ours): the one node of a SQLite store lists itself with the
// sessions it owns; an admin drains it; others may not.
func TestServerNodes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	if _, err := a.cmd.Sessions.CreateSession(t.Context(), a.admin, "s1"); err != nil {
		t.Fatal(err)
	}
	check := func(r response, status, code int) {
		t.Helper()
		if r.code != status || r.env.Code != code {
			t.Fatalf("%s %s: HTTP %d code %d, want %d %d: %s", r.req.Method, r.req.URL, r.code, r.env.Code, status, code, r.body)
		}
	}
	type node struct {
		ID, Addr       string
		Self, Draining bool
		Sessions       int
		Leases         []struct {
			SessionID  string
			Token      int64
			AgeSeconds float64
		}
	}
	list := func() []node {
		t.Helper()
		r := a.do(t, http.MethodGet, "/api/v1/server/nodes", a.adminKey, nil)
		check(r, 200, 1000)
		var res struct{ Nodes []node }
		decodeFirst(t, r, &res)
		return res.Nodes
	}
	nodes := list()
	if len(nodes) != 1 || nodes[0].ID != a.nodes.Self() || nodes[0].Addr != "http://node.test" || !nodes[0].Self ||
		nodes[0].Draining || nodes[0].Sessions != 1 || len(nodes[0].Leases) != 1 ||
		nodes[0].Leases[0].SessionID != "s1" || nodes[0].Leases[0].Token != 1 || nodes[0].Leases[0].AgeSeconds < 0 {
		t.Fatalf("nodes = %+v; want this node owning s1 under token 1", nodes)
	}

	check(a.do(t, http.MethodGet, "/api/v1/server/nodes", "", nil), 401, 2200)
	check(a.do(t, http.MethodGet, "/api/v1/server/nodes", alice, nil), 403, 2201)
	check(a.do(t, http.MethodPost, "/api/v1/server/nodes/"+a.nodes.Self()+"/drain", alice, nil), 403, 2201)
	check(a.do(t, http.MethodPost, "/api/v1/server/nodes/nobody/drain", a.adminKey, nil), 404, 2600)
	if nodes := list(); nodes[0].Draining {
		t.Fatal("a refused drain marked the node draining")
	}
	check(a.do(t, http.MethodPost, "/api/v1/server/nodes/"+a.nodes.Self()+"/drain", a.adminKey, nil), 200, 1000)
	if nodes := list(); len(nodes) != 1 || !nodes[0].Draining {
		t.Fatalf("after drain: %+v; want the node draining", nodes)
	}
}
