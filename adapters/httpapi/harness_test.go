package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/ffmpeg"
	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/mediafetch"
	"github.com/warest-go/warest/adapters/phonenumber"
	"github.com/warest-go/warest/adapters/qr"
	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/application"
	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now().UTC() }

// shiftedClock is the wall clock moved forward by what tests Advance it.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return time.Now().UTC().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

type ulids struct{}

func (ulids) NewID() string { return event.NewID(time.Now()) }

// fakeQR renders any payload as a (not really PNG) data URL.
type fakeQR struct{}

func (fakeQR) DataURL(payload string) (string, error) {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte(payload)), nil
}

// unreachable is the prefix of recipients the test transport cannot deliver to.
const unreachable = "6299"

// flakyTransport is the sandbox network, except that sends to unreachable numbers fail.
type flakyTransport struct{ *sandbox.Network }

func (f flakyTransport) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	if strings.HasPrefix(m.To.User, unreachable) {
		return ports.SendReceipt{}, errors.New("recipient unreachable")
	}
	return f.Network.Send(ctx, sessionID, m)
}

// webhookStub answers preflights: 200, except 500 for URLs containing "fail".
type webhookStub struct{}

func (webhookStub) Send(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	if strings.Contains(r.URL, "fail") {
		return ports.WebhookResponse{Status: http.StatusInternalServerError}, nil
	}
	return ports.WebhookResponse{Status: http.StatusOK}, nil
}

// logBuffer collects log output so tests can check what was (not) logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type testApp struct {
	h        *httpapi.Handler
	net      *sandbox.Network
	cmd      *command.Commands
	q        *query.Queries
	logs     *logBuffer
	adminKey string
	admin    account.Principal
	clock    *shiftedClock // the use cases' clock
	restarts *fakeRestarter
	host     *fakeHost
	blobs    ports.BlobStore
	links    *storage.Links
	store    ports.Store
	log      *slog.Logger
	nodes    *cluster.Cluster // the node's session ownership
}

type appOption func(*httpapi.Config)

// newApp runs with WAREST's limits except the recipient cooldown, which the limit
// tests turn on through newAppWith.
func newApp(t *testing.T, opts ...appOption) *testApp {
	t.Helper()
	return newAppWith(t, func(c *command.Config) { c.Limits.Cooldown = 0 }, opts...)
}

func newAppWith(t *testing.T, tune func(*command.Config), opts ...appOption) *testApp {
	t.Helper()
	return newAppOn(t, appworld.NewStore(t), tune, opts...)
}

// newAppOn runs the app over the given store.
func newAppOn(t *testing.T, store ports.Store, tune func(*command.Config), opts ...appOption) *testApp {
	t.Helper()
	network := sandbox.NewNetwork(sandbox.Config{}, wallClock{})
	t.Cleanup(func() { _ = network.Close(context.Background()) })
	// A node runs session ownership, also the one node of a SQLite store.
	a := startApp(t, store, network, tune, &cluster.Config{Addr: "http://node.test"})
	seed, err := a.cmd.Users.SeedAdmin(context.Background(), "admin", "admin-password", "")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := a.q.Principals.Authenticate(context.Background(), seed.GeneratedKey)
	if err != nil {
		t.Fatal(err)
	}
	a.adminKey, a.admin = seed.GeneratedKey, admin
	a.h = a.handler(nil, opts...)
	return a
}

// startApp starts an application on store and network: one node, its handler not
// built yet; node is its session ownership (nil: none).
func startApp(t *testing.T, store ports.Store, network *sandbox.Network, tune func(*command.Config), node *cluster.Config) *testApp {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := command.DefaultConfig
	cfg.QRWait, cfg.PairWait, cfg.SendWait = 2*time.Second, time.Second, 3*time.Second
	tune(&cfg)
	blobs, err := storage.New(storage.Config{Root: t.TempDir(), Key: "test-key"})
	if err != nil {
		t.Fatal(err)
	}
	links, err := storage.NewLinks(blobs, storage.LinkConfig{BaseURL: "http://warest.test", Key: []byte(strings.Repeat("l", 32))})
	if err != nil {
		t.Fatal(err)
	}
	clock := &shiftedClock{}
	app := application.New(application.Config{Commands: cfg, Cluster: node}, application.Deps{Store: store, Transport: flakyTransport{network},
		QR: fakeQR{}, Sender: webhookStub{}, Renderer: warestjson.Renderer{}, Clock: clock, IDs: ulids{}, Log: log,
		Blobs: blobs, Links: links, Fetcher: mediafetch.New(mediafetch.Config{}), Transcoder: ffmpeg.New(ffmpeg.Config{}),
		Profiles: network, Contacts: network, Groups: network, Calls: network, QRImages: qr.New(), Phones: phonenumber.Plan{}})
	cmd, q := app.Commands, app.Queries
	app.Workers.SendQueue.Poll, app.Workers.SendQueue.MaxAttempts = 20*time.Millisecond, 1
	ctx := context.Background()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	return &testApp{net: network, cmd: cmd, q: q, logs: logs, log: log, clock: clock, nodes: app.Workers.Cluster,
		restarts: &fakeRestarter{}, host: &fakeHost{}, blobs: blobs, links: links, store: store}
}

// handler builds the node's HTTP handler; owners nil is a single node.
func (a *testApp) handler(owners ports.Ownership, opts ...appOption) *httpapi.Handler {
	hc := httpapi.Config{ServiceName: "WAREST", Version: "test", Environment: "test", Timezone: "Asia/Jakarta",
		StartedAt: time.Now(), CookieSecret: []byte("test-secret")}
	for _, o := range opts {
		o(&hc)
	}
	d := httpapi.Deps{Commands: a.cmd, Queries: a.q, Sandbox: a.net, Log: a.log, Config: hc, Renderer: warestjson.Renderer{},
		Host: a.host, Restarter: a.restarts, Storage: a.links, Owners: owners}
	if a.nodes != nil {
		d.Nodes = a.nodes
	}
	return httpapi.NewHandler(d)
}

// user creates a user with a key and returns the key and the user id.
func (a *testApp) user(t *testing.T, name string) (key, id string) {
	t.Helper()
	u, err := a.cmd.Users.CreateUser(context.Background(), a.admin, name, "password-"+name, account.RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err = a.cmd.Users.IssueKey(context.Background(), a.admin, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return key, u.ID
}

// envelope is the decoded response body.
type envelope struct {
	Status  bool              `json:"status"`
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Results []json.RawMessage `json:"results"`
	Failed  []json.RawMessage `json:"failed"`
}

type response struct {
	req  *http.Request
	code int
	hdr  http.Header
	body []byte
	env  envelope
	null bool // results was JSON null
}

// result decodes results[i] into v.
func (r response) result(t *testing.T, i int, v any) {
	t.Helper()
	if len(r.env.Results) <= i {
		t.Fatalf("no results[%d] in %s", i, r.body)
	}
	if err := json.Unmarshal(r.env.Results[i], v); err != nil {
		t.Fatalf("results[%d]: %v in %s", i, err, r.body)
	}
}

type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func cookie(c *http.Cookie) reqOpt { return func(r *http.Request) { r.AddCookie(c) } }

// do sends a request; key goes into X-WAREST-API-KEY when set; body is JSON unless
// it is a string (sent as is).
func (a *testApp) do(t *testing.T, method, target, key string, body any, opts ...reqOpt) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, target, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-WAREST-API-KEY", key)
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	res := response{req: req, code: rec.Code, hdr: rec.Header(), body: rec.Body.Bytes()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(res.body, &res.env)
		var probe struct {
			Results json.RawMessage `json:"results"`
		}
		_ = json.Unmarshal(res.body, &probe)
		res.null = string(probe.Results) == "null"
	}
	return res
}

// expect checks HTTP status, app code and the envelope's status flag.
func expect(t *testing.T, r response, status, code int) {
	t.Helper()
	if r.code != status || r.env.Code != code {
		t.Fatalf("%s %s: got HTTP %d code %d, want %d/%d; body %s", r.req.Method, r.req.URL, r.code, r.env.Code, status, code, r.body)
	}
	if r.env.Status != (status >= 200 && status < 300) {
		t.Fatalf("%s %s: envelope status %v for HTTP %d", r.req.Method, r.req.URL, r.env.Status, status)
	}
	if r.env.Message == "" {
		t.Fatalf("%s %s: empty message", r.req.Method, r.req.URL)
	}
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openSession creates a session for key and pairs it with phone through the sandbox.
func (a *testApp) openSession(t *testing.T, key, id, phone string) {
	t.Helper()
	r := a.do(t, http.MethodGet, "/api/v1/session/create?sessionId="+id, key, nil)
	expect(t, r, http.StatusAccepted, 1107)
	r = a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/"+id+"/scan", key, map[string]string{"phone": phone, "pushName": "Bot " + id})
	expect(t, r, http.StatusOK, 1000)
	waitFor(t, "session "+id+" open", func() bool {
		s, err := a.q.Sessions.Session(context.Background(), a.admin, id)
		return err == nil && s.Status() == "open"
	})
}
