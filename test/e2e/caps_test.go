package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

func TestSessionCapOnSQLite(t *testing.T) {
	t.Parallel()
	runSessionCap(t, startServer(t, map[string]string{"WAREST_MAX_SESSIONS_PER_USER": "3"}))
}

func TestSessionCapOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runSessionCap(t, startServer(t, map[string]string{"WAREST_MAX_SESSIONS_PER_USER": "3",
		"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url)}))
}

// createAll creates the sessions at once and counts the answers by HTTP status/app code.
func createAll(s *server, key string, ids ...string) map[string]int {
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			status, env := s.call("GET", "/api/v1/session/create?sessionId="+id, key, nil)
			mu.Lock()
			got[fmt.Sprintf("%d/%d", status, env.Code)]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func ownSessions(t *testing.T, s *server, key string) int {
	t.Helper()
	_, env := s.call("GET", "/api/v1/session/list", key, nil)
	return len(result[struct {
		Items []json.RawMessage `json:"items"`
	}](t, env).Items)
}

func runSessionCap(t *testing.T, s *server) {
	alice, aliceKey := newUser(t, s, "alice")
	if got := createAll(s, aliceKey, ids("a", 12)...); got["202/1107"] != 3 || got["403/2403"] != 9 {
		t.Fatalf("12 concurrent creates under a cap of 3: %v", got)
	}
	if n := ownSessions(t, s, aliceKey); n != 3 {
		t.Fatalf("alice owns %d sessions, want 3", n)
	}
	status, env := s.call("PUT", "/api/v1/users/"+alice.ID+"/limits", adminKey, map[string]any{"maxSessions": 5})
	if status != 200 {
		t.Fatalf("set limits: %d %+v", status, env)
	}
	if got := createAll(s, aliceKey, ids("b", 12)...); got["202/1107"] != 2 || got["403/2403"] != 10 {
		t.Fatalf("12 concurrent creates under an override of 5: %v", got)
	}
	if n := ownSessions(t, s, aliceKey); n != 5 {
		t.Fatalf("alice owns %d sessions, want 5", n)
	}
	if status, env := s.call("PUT", "/api/v1/users/"+alice.ID+"/limits", aliceKey, map[string]any{"maxSessions": 50}); status != 403 || env.Code != 2201 {
		t.Fatalf("alice raising her own limit: %d %+v", status, env)
	}
	if got := createAll(s, adminKey, ids("x", 4)...); got["202/1107"] != 4 { // admins are uncapped
		t.Fatalf("admin creates: %v", got)
	}
}

// stream is an open event stream read to its end in the background.
type stream struct {
	cancel context.CancelFunc
	ended  chan error // the read error that ended the body: io.EOF when the server closed it cleanly
}

func openStream(t *testing.T, s *server, key string) (*stream, int, envelope) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/v1/events/stream", nil)
	req.Header.Set("X-WAREST-API-KEY", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		defer resp.Body.Close()
		var env envelope
		_ = json.NewDecoder(resp.Body).Decode(&env)
		return nil, resp.StatusCode, env
	}
	st := &stream{cancel: cancel, ended: make(chan error, 1)}
	go func() {
		defer resp.Body.Close()
		_, err := io.Copy(io.Discard, resp.Body)
		if err == nil {
			err = io.EOF
		}
		st.ended <- err
	}()
	return st, 200, envelope{}
}

// terminate sends SIGTERM and waits for the exit.
func (s *server) terminate(t *testing.T, within time.Duration) (exitCode int, took time.Duration) {
	t.Helper()
	start := time.Now()
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(within):
		_ = s.Cmd.Process.Kill()
		<-done
	}
	took = time.Since(start)
	exitCode = s.Cmd.ProcessState.ExitCode()
	s.Cmd = nil // waited for: nothing left for the cleanup to kill
	if took > within {
		t.Fatalf("still running %s after SIGTERM", within)
	}
	return exitCode, took
}

func TestStreamCapAndShutdownWithOpenStreams(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_MAX_STREAMS_PER_USER": "2"})
	_, bobKey := newUser(t, s, "bob")
	var open []*stream
	for range 2 {
		st, status, env := openStream(t, s, bobKey)
		if status != 200 {
			t.Fatalf("bob's stream: %d %+v", status, env)
		}
		open = append(open, st)
	}
	if _, status, env := openStream(t, s, bobKey); status != 403 || env.Code != 2403 || env.Status || !strings.Contains(env.Message, "limit") {
		t.Fatalf("bob's third stream: %d %+v", status, env)
	}
	st, status, env := openStream(t, s, adminKey)
	if status != 200 {
		t.Fatalf("admin's stream: %d %+v", status, env)
	}
	open = append(open, st)

	code, took := s.terminate(t, 3*time.Second)
	t.Logf("SIGTERM with %d open streams: exit %d after %s", len(open), code, took)
	if code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, s.Output())
	}
	for i, st := range open {
		select {
		case err := <-st.ended:
			if !errors.Is(err, io.EOF) {
				t.Errorf("stream %d ended with %v, want a clean end", i, err)
			}
		case <-time.After(time.Second):
			t.Errorf("stream %d still open after the process exited", i)
		}
	}
}

type statusEvent struct {
	Event string `json:"event"`
	Data  struct {
		Tags   string `json:"tags"`
		Status string `json:"status"`
		Code   string `json:"code"`
	} `json:"data"`
}

// statusEvents replays a session's session_status events.
func statusEvents(t *testing.T, s *server, key, id string) (qr, timeouts int) {
	t.Helper()
	_, env := s.call("GET", "/api/v1/events?limit=1000&sessionId="+id, key, nil)
	for _, e := range result[struct {
		Events []statusEvent `json:"events"`
	}](t, env).Events {
		switch {
		case e.Event != "session_status":
		case e.Data.Tags == "qr":
			qr++
		case e.Data.Status == "stopped" && e.Data.Code == "qr_timeout":
			timeouts++
		}
	}
	return qr, timeouts
}

type listedSession struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	LastError *string `json:"lastError"`
}

func sessionState(t *testing.T, s *server, key, id string) listedSession {
	t.Helper()
	_, env := s.call("GET", "/api/v1/session/list", key, nil)
	for _, it := range result[struct {
		Items []listedSession `json:"items"`
	}](t, env).Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("session %s not listed", id)
	return listedSession{}
}

// An unpaired session shows QR codes for WAREST_QR_TIMEOUT_MS, then stops with
// qr_timeout and stores no more of them until it is reconnected.
func TestQRTimeoutStopsAnUnpairedSession(t *testing.T) {
	t.Parallel()
	const interval, timeout = 200, 1000 // ms
	s := startServer(t, map[string]string{"WAREST_SANDBOX_QR_INTERVAL_MS": fmt.Sprint(interval), "WAREST_QR_TIMEOUT_MS": fmt.Sprint(timeout)})
	_, key := newUser(t, s, "carol")
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=q1", key, nil); status != 202 || env.Code != 1107 {
		t.Fatalf("create: %d %+v", status, env)
	}
	eventually(t, "the QR timeout", func() bool {
		st := sessionState(t, s, key, "q1")
		return st.Status == "stopped" && st.LastError != nil && *st.LastError == "qr_timeout"
	})
	qr, timeouts := statusEvents(t, s, key, "q1")
	t.Logf("%d QR events before the timeout", qr)
	if qr < 2 || qr > timeout/interval+2 || timeouts != 1 {
		t.Fatalf("%d QR events and %d timeouts, want 2..%d and 1", qr, timeout/interval+2, timeouts)
	}
	time.Sleep(3 * interval * time.Millisecond)
	if again, timeouts := statusEvents(t, s, key, "q1"); again != qr || timeouts != 1 {
		t.Fatalf("after the timeout: %d QR events (was %d), %d timeouts", again, qr, timeouts)
	}

	if status, env := s.call("GET", "/api/v1/session/reconnect?sessionId=q1", key, nil); status != 202 || env.Code != 1109 {
		t.Fatalf("reconnect: %d %+v", status, env)
	}
	eventually(t, "QR codes again after the reconnect", func() bool {
		n, _ := statusEvents(t, s, key, "q1")
		return n > qr && sessionState(t, s, key, "q1").Status == "connecting"
	})
	eventually(t, "a second timeout", func() bool { _, timeouts := statusEvents(t, s, key, "q1"); return timeouts == 2 })
}
