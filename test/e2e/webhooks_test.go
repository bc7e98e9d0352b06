package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

// hookLog is a webhook receiver whose answer can be switched: it records each
// request with the status it answered.
type hookLog struct {
	mu     sync.Mutex
	hits   []hit
	answer atomic.Int32 // HTTP status to answer; 0 means 200
	srv    *httptest.Server
}

type hit struct {
	eventID string
	event   string
	text    string
	status  int
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var b struct {
		Data struct {
			Text string `json:"text"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &b)
	status := int(h.answer.Load())
	if status == 0 {
		status = http.StatusOK
	}
	h.mu.Lock()
	h.hits = append(h.hits, hit{eventID: r.Header.Get("X-WAREST-Event-Id"), event: r.Header.Get("X-WAREST-Event"), text: b.Data.Text, status: status})
	h.mu.Unlock()
	w.WriteHeader(status)
}

// of returns the requests that carried text, in order.
func (h *hookLog) of(text string) []hit {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hit
	for _, x := range h.hits {
		if x.text == text {
			out = append(out, x)
		}
	}
	return out
}

// delivered returns the texts of message_received requests answered 2xx, in order.
func (h *hookLog) delivered() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, x := range h.hits {
		if x.event == "message_received" && x.status < 300 {
			out = append(out, x.text)
		}
	}
	return out
}

func newHookLog(t *testing.T) *hookLog {
	h := &hookLog{}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

type e2eDelivery struct {
	ID         string `json:"id"`
	EventID    string `json:"eventId"`
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	LastStatus int    `json:"lastStatus"`
	URL        string `json:"url"`
}

// openShop creates a user with session "shop" open on the sandbox.
func openShop(t *testing.T, s *server, name string) string {
	t.Helper()
	_, key := newUser(t, s, name)
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=shop", key, nil); status != 202 {
		t.Fatalf("create: %d %+v", status, env)
	}
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/shop/scan", key, map[string]any{"phone": "6281100000001", "pushName": "Shop"}); status != 200 {
		t.Fatalf("scan: %d %+v", status, env)
	}
	eventually(t, "session open", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", key, nil)
		return strings.Contains(string(env.Results[0]), `"status":"open"`)
	})
	return key
}

func subscribe(t *testing.T, s *server, key, url string) {
	t.Helper()
	status, env := s.call("POST", "/api/v1/webhooks/subscriptions", key, map[string]any{"sessionId": "shop", "url": url,
		"secret": "e2e-secret-1", "events": []string{"message_received"}})
	if status != 201 {
		t.Fatalf("subscribe: %d %+v", status, env)
	}
}

func inbound(t *testing.T, s *server, key, text string) {
	t.Helper()
	if status, env := s.call("POST", "/api/v1/sandbox/sessions/shop/inbound", key, map[string]any{"from": "6281300000003", "pushName": "Budi", "text": text}); status != 200 {
		t.Fatalf("inbound: %d %+v", status, env)
	}
}

// deliveriesOf lists the session's deliveries with the given status ("" for all).
func deliveriesOf(t *testing.T, s *server, key, path string) []e2eDelivery {
	t.Helper()
	status, env := s.call("GET", path, key, nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %+v", path, status, env)
	}
	out := make([]e2eDelivery, len(env.Results))
	for i, r := range env.Results {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestWebhooksSurviveACrashOnSQLite(t *testing.T) {
	t.Parallel()
	runCrashMidRetry(t, startServer(t, nil))
}

func TestWebhooksSurviveACrashOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runCrashMidRetry(t, startServer(t, map[string]string{"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url)}))
}

func TestWebhooksSurviveACrashOnMySQL(t *testing.T) {
	t.Parallel()
	runCrashMidRetry(t, startServer(t, mysqlEnv(t)))
}

// runCrashMidRetry: the receiver answers 500, the gateway is killed (-9) while it
// retries, the receiver recovers, the restarted gateway delivers exactly once.
// Then a rejected (410) delivery shows in the dead letters and is redelivered.
func runCrashMidRetry(t *testing.T, s *server) {
	key := openShop(t, s, "alice")
	hook := newHookLog(t)
	hook.answer.Store(500)
	subscribe(t, s, key, hook.srv.URL+"/hook")
	inbound(t, s, key, "survive the crash")
	// Kill between attempts: once the second failure is recorded (the next
	// attempt is ~100 ms away), not while a request is in flight.
	eventually(t, "two failed attempts recorded", func() bool {
		for _, d := range deliveriesOf(t, s, key, "/api/v1/webhooks/deliveries?sessionId=shop") {
			if d.Attempts >= 2 && d.Status == "pending" {
				return true
			}
		}
		return false
	})
	s.Kill()
	failed := len(hook.of("survive the crash"))
	hook.answer.Store(200)
	s.launch()
	var d e2eDelivery
	eventually(t, "the delivery after the restart", func() bool {
		ds := deliveriesOf(t, s, key, "/api/v1/webhooks/deliveries?sessionId=shop&status=delivered")
		if len(ds) == 1 {
			d = ds[0]
		}
		return len(ds) == 1
	})
	hits := hook.of("survive the crash")
	ok := 0
	for _, h := range hits {
		if h.status == 200 {
			ok++
		}
		if h.eventID != hits[0].eventID || h.eventID != d.EventID {
			t.Fatalf("event id changed across attempts: %+v", hits)
		}
	}
	if ok != 1 || d.Attempts != len(hits) || len(hits) < failed+1 {
		t.Fatalf("after the crash: %d successful of %d requests (%d before the kill), delivery %+v", ok, len(hits), failed, d)
	}

	// The sandbox network lives in the process: pair the phone again. On PostgreSQL
	// the restarted process is a new node: it takes "shop" over once the dead one's
	// lease runs out (create answers 503 until then). Polled gently: hammering
	// trips the key's rate limit, whose window outlasts the wait.
	paired := false
	for deadline := time.Now().Add(60 * time.Second); !paired && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		status, _ := s.raw("POST", "/api/v1/sandbox/sessions/shop/scan", key, map[string]any{"phone": "6281100000001", "pushName": "Shop"})
		if paired = status == 200; !paired {
			s.raw("GET", "/api/v1/session/create?sessionId=shop", key, nil)
		}
	}
	if !paired {
		t.Fatal("session not paired again within 60 s")
	}
	eventually(t, "session open again", func() bool {
		_, env := s.call("GET", "/api/v1/session/list", key, nil)
		return strings.Contains(string(env.Results[0]), `"status":"open"`)
	})

	// A rejected delivery is a dead letter; redelivering it brings it.
	hook.answer.Store(410)
	inbound(t, s, key, "rejected at first")
	var dead e2eDelivery
	eventually(t, "the dead letter", func() bool {
		ds := deliveriesOf(t, s, key, "/api/v1/webhooks/dead-letters")
		if len(ds) == 1 {
			dead = ds[0]
		}
		return len(ds) == 1
	})
	if dead.LastStatus != 410 || dead.Attempts != 1 || dead.Status != "dead" {
		t.Fatalf("dead letter %+v", dead)
	}
	hook.answer.Store(200)
	if status, env := s.call("POST", "/api/v1/webhooks/deliveries/"+dead.ID+"/redeliver", key, nil); status != 202 || env.Code != 1001 {
		t.Fatalf("redeliver: %d %+v", status, env)
	}
	eventually(t, "the redelivery", func() bool {
		h := hook.of("rejected at first")
		return len(h) == 2 && h[1].status == 200 && h[1].eventID == dead.EventID
	})
	eventually(t, "no dead letters", func() bool { return len(deliveriesOf(t, s, key, "/api/v1/webhooks/dead-letters")) == 0 })
}

// The receiver's port is closed for a while, then a server starts on it: nothing
// is lost and the order is kept. The backoff is long enough that the outage stays
// below the circuit breaker's five failures.
func TestWebhooksReceiverDownThenUp(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_WEBHOOK_BACKOFF_MS": "300"})
	key := openShop(t, s, "alice")
	port := freePort(t) // nothing listens there yet
	subscribe(t, s, key, "http://127.0.0.1:"+port+"/hook")
	texts := []string{"down 1", "down 2", "down 3"}
	for _, x := range texts {
		inbound(t, s, key, x)
	}
	eventually(t, "failed attempts while down", func() bool {
		for _, d := range deliveriesOf(t, s, key, "/api/v1/webhooks/deliveries?sessionId=shop") {
			if d.Attempts >= 2 {
				return true
			}
		}
		return false
	})
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	hook := &hookLog{}
	hook.srv = httptest.NewUnstartedServer(hook)
	hook.srv.Listener.Close()
	hook.srv.Listener = l
	hook.srv.Start()
	t.Cleanup(hook.srv.Close)
	eventually(t, "every event after the outage", func() bool {
		return len(deliveriesOf(t, s, key, "/api/v1/webhooks/deliveries?sessionId=shop&status=delivered")) == len(texts)
	})
	if got := hook.delivered(); strings.Join(got, "|") != strings.Join(texts, "|") {
		t.Fatalf("receiver got %q, want %q once each in order", got, texts)
	}
}
