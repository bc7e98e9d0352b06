package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/gatewayproc"
)

// binary is the gateway built once for all tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "warest-e2e")
	if err != nil {
		panic(err)
	}
	if binary, err = gatewayproc.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is one running gateway process.
type server struct {
	*gatewayproc.Process
	t *testing.T
}

const adminKey = "e2e-admin-key-0123456789"

// startServer runs the binary with a fresh data directory and the given extra env.
func startServer(t *testing.T, extra map[string]string) *server {
	t.Helper()
	s := newServer(t, extra)
	s.launch()
	return s
}

// newServer prepares a gateway process without starting it.
func newServer(t *testing.T, extra map[string]string) *server {
	t.Helper()
	return &server{Process: gatewayproc.New(t, binary, adminKey, extra), t: t}
}

func (s *server) launch() {
	s.t.Helper()
	s.Launch(s.t)
}

// restart crashes the process and starts it again on the same data.
func (s *server) restart() {
	s.Kill()
	s.launch()
}

func freePort(t *testing.T) string { return gatewayproc.FreePort(t) }

// envelope is WAREST's response body.
type envelope struct {
	Status  bool              `json:"status"`
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Results []json.RawMessage `json:"results"`
}

// call sends a request with the API key and decodes the envelope; body may be a
// string (sent raw) or a value (sent as JSON).
func (s *server) call(method, path, key string, body any) (int, envelope) {
	s.t.Helper()
	status, raw := s.raw(method, path, key, body)
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		s.t.Fatalf("%s %s: not an envelope (%d): %s", method, path, status, raw)
	}
	if env.Status != (status >= 200 && status < 300) {
		s.t.Fatalf("%s %s: envelope status %v with HTTP %d", method, path, env.Status, status)
	}
	return status, env
}

func (s *server) raw(method, path, key string, body any) (int, []byte) {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-WAREST-API-KEY", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// result decodes results[0] of an envelope.
func result[T any](t *testing.T, env envelope) T {
	t.Helper()
	var v T
	if len(env.Results) == 0 {
		t.Fatalf("envelope has no results: %+v", env)
	}
	if err := json.Unmarshal(env.Results[0], &v); err != nil {
		t.Fatalf("results[0]: %v: %s", err, env.Results[0])
	}
	return v
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
