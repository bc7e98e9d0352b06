package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// ownerTable is the session ownership the test nodes share, standing in for the
// leases: who runs each session, what PlaceNew answers, and every call made.
type ownerTable struct {
	mu     sync.Mutex
	owners map[string]ports.SessionOwner
	place  func(sessionID string) (ports.SessionOwner, error)
	fresh  ports.SessionOwner // NewOwner's answer
	calls  []string           // "A owner s1", "A place s2", "B place s3 here"
}

func (t *ownerTable) set(sessionID string, o *ports.SessionOwner) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if o == nil {
		delete(t.owners, sessionID)
		return
	}
	t.owners[sessionID] = *o
}

func (t *ownerTable) recorded() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.calls)
}

// nodeOwnership is one node's view of the table.
type nodeOwnership struct {
	self  string
	table *ownerTable
}

func (n nodeOwnership) Self() string { return n.self }

func (n nodeOwnership) Owner(_ context.Context, sessionID string) (ports.SessionOwner, bool, error) {
	n.table.mu.Lock()
	defer n.table.mu.Unlock()
	n.table.calls = append(n.table.calls, n.self+" owner "+sessionID)
	o, ok := n.table.owners[sessionID]
	return o, ok, nil
}

func (n nodeOwnership) PlaceNew(ctx context.Context, sessionID string) (ports.SessionOwner, error) {
	n.table.mu.Lock()
	call, place := n.self+" place "+sessionID, n.table.place
	if ports.PlacedHere(ctx) {
		call += " here"
		place = func(string) (ports.SessionOwner, error) { return ports.SessionOwner{NodeID: n.self}, nil }
	}
	n.table.calls = append(n.table.calls, call)
	n.table.mu.Unlock()
	o, err := place(sessionID)
	if err == nil {
		n.table.set(sessionID, &o)
	}
	return o, err
}

func (n nodeOwnership) NewOwner(context.Context) (ports.SessionOwner, error) {
	n.table.mu.Lock()
	defer n.table.mu.Unlock()
	n.table.calls = append(n.table.calls, n.self+" new owner")
	return n.table.fresh, nil
}

var _ ports.Ownership = nodeOwnership{}

// exchange is one request a node served over HTTP, with its response.
type exchange struct {
	method, uri string
	header      http.Header
	body        []byte
	status      int
	respHeader  http.Header
	respBody    []byte
}

// exchangeLog serves a node's handler and records each exchange.
type exchangeLog struct {
	next http.Handler
	mu   sync.Mutex
	got  []exchange
}

func (rc *exchangeLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	res := httptest.NewRecorder()
	rc.next.ServeHTTP(res, r)
	for k, v := range res.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(res.Code)
	_, _ = w.Write(res.Body.Bytes())
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, exchange{method: r.Method, uri: r.URL.RequestURI(), header: r.Header.Clone(), body: body,
		status: res.Code, respHeader: res.Header().Clone(), respBody: res.Body.Bytes()})
}

func (rc *exchangeLog) exchanges() []exchange {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// twoNodes are nodes A and B on one store and one sandbox network; B listens on
// HTTP (what A forwards to), the test calls A (a.do) and B directly (b.do).
type twoNodes struct {
	a, b   *testApp
	bAddr  string
	bSaw   *exchangeLog
	table  *ownerTable
	alice  string // a user's key; her session s1 is open and owned by B
	bOwner ports.SessionOwner
}

func newTwoNodes(t *testing.T) *twoNodes {
	t.Helper()
	b := newApp(t)
	// A runs no session ownership of its own: the test's table says who owns what.
	a := startApp(t, b.store, b.net, func(c *command.Config) { c.Limits.Cooldown = 0 }, nil)
	a.adminKey, a.admin = b.adminKey, b.admin
	table := &ownerTable{owners: map[string]ports.SessionOwner{},
		place: func(string) (ports.SessionOwner, error) {
			return ports.SessionOwner{}, fault.New(fault.KindUnavailable, "", "no placement")
		}}
	b.h = b.handler(nodeOwnership{self: "B", table: table})
	saw := &exchangeLog{next: b.h}
	srv := httptest.NewServer(saw)
	t.Cleanup(srv.Close)
	a.h = a.handler(nodeOwnership{self: "A", table: table})

	n := &twoNodes{a: a, b: b, bAddr: srv.URL, bSaw: saw, table: table,
		bOwner: ports.SessionOwner{NodeID: "B", Addr: srv.URL, Token: 1}}
	n.alice, _ = b.user(t, "alice")
	table.set("s1", &n.bOwner)
	b.openSession(t, n.alice, "s1", "6281234567890")
	return n
}

// TestForward_LiveOperationRunsOnTheOwner: A forwards what needs s1's connection to
// B with the caller's credentials, and hands B's answer back unchanged.
func TestForward_LiveOperationRunsOnTheOwner(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)

	cases := []struct {
		method, target string
		body           any
		opts           []reqOpt
	}{
		{http.MethodGet, "/api/v1/groups?sessionId=s1", nil, nil},
		{http.MethodPost, "/api/v1/presence", map[string]any{"sessionId": "s1", "state": "available"}, nil},
		// The alias of the query, and a body that names the session over the query.
		{http.MethodGet, "/api/v1/profile/info?session=s1", nil, nil},
		{http.MethodPost, "/api/v1/presence?sessionId=nope", map[string]any{"sessionId": "s1", "state": "unavailable"},
			[]reqOpt{header("Authorization", "Bearer "+n.alice), header("Idempotency-Key", "k1")}},
	}
	for i, c := range cases {
		key := n.alice
		if c.opts != nil {
			key = "" // Authorization carries it
		}
		got := n.a.do(t, c.method, c.target, key, c.body, c.opts...)
		saw := n.bSaw.exchanges()
		if len(saw) != i+1 {
			t.Fatalf("%s %s: B served %d requests, want %d", c.method, c.target, len(saw), i+1)
		}
		x := saw[i]
		if x.method != c.method || x.uri != c.target {
			t.Errorf("B got %s %s, want %s %s", x.method, x.uri, c.method, c.target)
		}
		for k, v := range got.req.Header {
			if !slices.Equal(x.header[k], v) {
				t.Errorf("%s %s: header %s reached B as %q, sent %q", c.method, c.target, k, x.header[k], v)
			}
		}
		if x.header.Get("X-Warest-Forwarded-By") != "A" {
			t.Errorf("B saw X-Warest-Forwarded-By %q, want A", x.header.Get("X-Warest-Forwarded-By"))
		}
		if c.body != nil {
			sent, _ := json.Marshal(c.body)
			if !bytes.Equal(x.body, sent) {
				t.Errorf("B got body %s, sent %s", x.body, sent)
			}
		}
		if x.status != http.StatusOK {
			t.Fatalf("%s %s: B answered %d %s", c.method, c.target, x.status, x.respBody)
		}
		if got.code != x.status || !bytes.Equal(got.body, x.respBody) {
			t.Errorf("%s %s: A answered %d %s, B %d %s", c.method, c.target, got.code, got.body, x.status, x.respBody)
		}
		for k, v := range x.respHeader {
			if !slices.Equal(got.hdr[k], v) {
				t.Errorf("%s %s: response header %s is %q through A, %q from B", c.method, c.target, k, got.hdr[k], v)
			}
		}
		for k := range got.hdr {
			if _, ok := x.respHeader[k]; !ok && k != "Date" && k != "Content-Length" {
				t.Errorf("%s %s: A added response header %s", c.method, c.target, k)
			}
		}
		// B counted the call against the caller's rate limit; A did not count it again.
		if got.hdr.Get("X-RateLimit-Remaining") == "" {
			t.Errorf("%s %s: no rate limit headers from the owner", c.method, c.target)
		}
	}
}

// TestForward_OwnerRefusesWhoHasNoRights: forwarding lends no rights. Another
// user's key reaches the owner, which refuses it; a bad key is refused before.
func TestForward_OwnerRefusesWhoHasNoRights(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	bob, _ := n.b.user(t, "bob")

	expect(t, n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", bob, nil), http.StatusForbidden, 2201)
	saw := n.bSaw.exchanges()
	if len(saw) != 1 || saw[0].status != http.StatusForbidden || saw[0].header.Get("X-WAREST-API-KEY") != bob {
		t.Fatalf("the owner did not refuse bob itself: %+v", saw)
	}

	expect(t, n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", "not-a-key", nil), http.StatusUnauthorized, 2204)
	expect(t, n.a.do(t, http.MethodPost, "/api/v1/presence", "", map[string]any{"sessionId": "s1", "state": "available"}),
		http.StatusUnauthorized, 2200)
	if got := len(n.bSaw.exchanges()); got != 1 {
		t.Fatalf("requests without a valid key reached the owner: %d exchanges", got)
	}
}

// TestForward_NoOwner: while nobody runs a session meant to run, every node
// answers 503 with Retry-After; a session not meant to run, or none at all, is
// answered as a single node would.
func TestForward_NoOwner(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	n.table.set("s1", nil)

	for _, node := range []*testApp{n.a, n.b} {
		r := node.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", n.alice, nil)
		expect(t, r, http.StatusServiceUnavailable, 1111)
		if r.hdr.Get("Retry-After") != "5" {
			t.Fatalf("Retry-After %q, want 5", r.hdr.Get("Retry-After"))
		}
	}
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=nope", n.alice, nil), http.StatusNotFound, 1101)
	bob, _ := n.b.user(t, "bob")
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", bob, nil), http.StatusForbidden, 2201)

	// Logged out, s1 is not meant to run: A answers like a single node, whose
	// runtime of s1 is gone (409 not logged in).
	n.table.set("s1", &n.bOwner)
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/logout?sessionId=s1", n.alice, nil), http.StatusOK, 1000)
	n.table.set("s1", nil)
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", n.alice, nil), http.StatusConflict, 1106)
	if got := len(n.bSaw.exchanges()); got != 1 {
		t.Fatalf("B served %d requests, want only the logout", got)
	}
}

// TestForward_NeverTwice: a forwarded request is answered where it lands: by the
// owner, or 503 by a node that does not own the session (any more).
func TestForward_NeverTwice(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	from := header("X-Warest-Forwarded-By", "C")

	r := n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", n.alice, nil, from)
	expect(t, r, http.StatusServiceUnavailable, 1111)
	if r.hdr.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	if got := len(n.bSaw.exchanges()); got != 0 {
		t.Fatalf("A forwarded a forwarded request: B served %d", got)
	}
	expect(t, n.b.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", n.alice, nil, from), http.StatusOK, 1000)
	// No owner: a forwarded creation starts where it was sent, without another choice.
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=sent-here", n.alice, nil, from), http.StatusAccepted, 1107)
	if got := len(n.bSaw.exchanges()); got != 0 {
		t.Fatalf("A forwarded a forwarded creation: B served %d", got)
	}
	if calls := n.table.recorded(); slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, "A place") || c == "A new owner" }) {
		t.Fatalf("a forwarded creation was placed again: %v", calls)
	}
}

// TestForward_QueuedSendsStayLocal: a send is queued by the node that accepts it,
// without asking who owns the session, and reaches the network.
func TestForward_QueuedSendsStayLocal(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	before := len(n.table.recorded())

	r := n.a.do(t, http.MethodPost, "/api/v1/messages/send/text", n.alice, map[string]any{"sessionId": "s1", "to": "6281111111111", "message": "via A"})
	if r.code != http.StatusOK && r.code != http.StatusAccepted {
		t.Fatalf("send on A: %d %s", r.code, r.body)
	}
	var sent struct {
		MessageID string `json:"messageId"`
	}
	r.result(t, 0, &sent)
	if got := len(n.bSaw.exchanges()); got != 0 {
		t.Fatalf("a send was forwarded: B served %d", got)
	}
	if calls := n.table.recorded()[before:]; len(calls) != 0 {
		t.Fatalf("a send asked for the owner: %v", calls)
	}
	waitFor(t, "the message on the network", func() bool {
		log := n.b.do(t, http.MethodGet, "/api/v1/sandbox/sessions/s1/sent", n.alice, nil)
		return bytes.Contains(log.body, []byte(sent.MessageID))
	})
}

// TestForward_Placement: creating or reconnecting a session nobody runs goes where
// PlaceNew puts it; a session that does not exist yet is created where NewOwner says.
func TestForward_Placement(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	n.table.mu.Lock()
	n.table.place = func(id string) (ports.SessionOwner, error) {
		if strings.HasPrefix(id, "fresh") { // no row yet
			return ports.SessionOwner{}, fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
		}
		return n.bOwner, nil
	}
	n.table.mu.Unlock()

	// s2 exists, stopped (logged out), unowned: A places it on B and forwards.
	n.b.openSession(t, n.alice, "s2", "6281234567891")
	expect(t, n.b.do(t, http.MethodGet, "/api/v1/session/logout?sessionId=s2", n.alice, nil), http.StatusOK, 1000)
	n.table.set("s2", nil)
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=s2", n.alice, nil), http.StatusAccepted, 1107)
	saw := n.bSaw.exchanges()
	if len(saw) != 1 || saw[0].uri != "/api/v1/session/create?sessionId=s2" || saw[0].status != http.StatusAccepted {
		t.Fatalf("the creation did not run on B: %+v", saw)
	}
	if !slices.Contains(n.table.recorded(), "A place s2") {
		t.Fatalf("A did not place s2: %v", n.table.recorded())
	}

	// A new id has no row to lease yet: the creation goes to NewOwner's node, which
	// creates the session and leases it to itself.
	n.table.mu.Lock()
	n.table.fresh = n.bOwner
	n.table.mu.Unlock()
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=fresh", n.alice, nil), http.StatusAccepted, 1107)
	saw = n.bSaw.exchanges()
	if len(saw) != 2 || saw[1].uri != "/api/v1/session/create?sessionId=fresh" || saw[1].status != http.StatusAccepted {
		t.Fatalf("the new session was not created on B: %+v", saw)
	}
	if !slices.Contains(n.table.recorded(), "A new owner") {
		t.Fatalf("A did not ask where a new session goes: %v", n.table.recorded())
	}
	// NewOwner says A: created there.
	n.table.mu.Lock()
	n.table.fresh = ports.SessionOwner{NodeID: "A", Addr: "http://a.invalid"}
	n.table.mu.Unlock()
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=fresh2", n.alice, nil), http.StatusAccepted, 1107)
	if got := len(n.bSaw.exchanges()); got != 2 {
		t.Fatalf("a new session meant for A was forwarded: B served %d", got)
	}

	// Placed on A itself: answered there.
	n.table.mu.Lock()
	n.table.place = func(string) (ports.SessionOwner, error) {
		return ports.SessionOwner{NodeID: "A", Addr: "http://a.invalid"}, nil
	}
	n.table.mu.Unlock()
	n.table.set("s1", nil)
	expect(t, n.a.do(t, http.MethodGet, "/api/v1/session/reconnect?sessionId=s1", n.alice, nil), http.StatusAccepted, 1109)
	if got := len(n.bSaw.exchanges()); got != 2 {
		t.Fatalf("a reconnect placed on A was forwarded: B served %d", got)
	}
}

// TestForward_OwnerGone: an owner that does not answer is a 503 with Retry-After.
func TestForward_OwnerGone(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	n.table.set("s1", &ports.SessionOwner{NodeID: "C", Addr: dead.URL})
	r := n.a.do(t, http.MethodGet, "/api/v1/groups?sessionId=s1", n.alice, nil)
	expect(t, r, http.StatusServiceUnavailable, 1111)
	if r.hdr.Get("Retry-After") != "5" {
		t.Fatalf("Retry-After %q", r.hdr.Get("Retry-After"))
	}
}

// TestForward_BodyLimit: the body read to find the session keeps the route's limit.
func TestForward_BodyLimit(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	big := fmt.Sprintf(`{"sessionId":"s1","state":"available","pad":%q}`, strings.Repeat("x", 3<<20))
	expect(t, n.a.do(t, http.MethodPost, "/api/v1/presence", n.alice, big), http.StatusRequestEntityTooLarge, 2006)
	if got := len(n.bSaw.exchanges()); got != 0 {
		t.Fatalf("an oversized body was forwarded: B served %d", got)
	}
}

// TestRoutingCoversEveryOperation holds the routing table against our OpenAPI
// document: every operation is decided, none decided is gone, and the decisions
// that matter most are the expected ones.
func TestRoutingCoversEveryOperation(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.do(t, http.MethodGet, "/docs/openapi.json", a.adminKey, nil)
	if r.code != http.StatusOK {
		t.Fatalf("our OpenAPI: HTTP %d", r.code)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			documented[op.OperationID] = true
			if _, ok := httpapi.Routing(op.OperationID); !ok {
				t.Errorf("%s %s (%s): not in the routing table (forward.go): say whether it needs the session's live connection",
					strings.ToUpper(method), path, op.OperationID)
			}
		}
	}
	for _, id := range httpapi.Routings() {
		if !documented[id] {
			t.Errorf("the routing table decides %s, which is not an operation", id)
		}
	}
	for id, want := range map[string]string{
		"getSessionCreate": "placed", "getSessionCreatePairCode": "placed", "getSessionReconnect": "placed",
		"getSessionLogout": "owner", "getGroups": "owner", "postGroupCreate": "owner", "getProfileInfo": "owner",
		"postPresence": "owner", "getProfileOnWhatsapp": "owner", "postCallsCallIdReject": "owner",
		"postMessagesMessageIdActionStar": "owner", "postMessagesActionArchive": "owner",
		"postMessagesSendText": "any", "postMessagesSendMedia": "any", "postMessagesMessageIdActionReaction": "any",
		"getEventsStream": "any", "getChats": "any", "getSessionList": "any", "getServerInfo": "any",
	} {
		if got, _ := httpapi.Routing(id); got != want {
			t.Errorf("%s runs on %q, want %q", id, got, want)
		}
	}
}

// TestForward_EventStreamOnEveryNode: the event stream is served by whichever node
// the client reaches, from the shared event log, without asking for the owner. (On
// PostgreSQL the bus wakes it on every node: test/e2e TestBusCrossesNodesOnPostgres.)
func TestForward_EventStreamOnEveryNode(t *testing.T) {
	t.Parallel()
	n := newTwoNodes(t)
	srv := httptest.NewServer(n.a.h)
	t.Cleanup(srv.Close)
	before := len(n.table.recorded())

	s := openStream(t, srv, n.alice, "?sessionId=s1", "")
	s.next(t, "creds_update") // caught up with s1's pairing, which ran on B
	expect(t, n.b.do(t, http.MethodPost, "/api/v1/sandbox/sessions/s1/inbound", n.alice, map[string]any{"from": "6283333333333", "text": "to B"}), 200, 1000)
	if f := s.next(t, "message_received"); !strings.Contains(f["data"], "to B") {
		t.Fatalf("A's stream got %v", f)
	}
	if calls := n.table.recorded()[before:]; len(calls) != 0 || len(n.bSaw.exchanges()) != 0 {
		t.Fatalf("the stream was routed: ownership calls %v, B served %d", calls, len(n.bSaw.exchanges()))
	}
}
