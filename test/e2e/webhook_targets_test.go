package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/test/contract"
)

func TestWebhookTargetPolicyOnSQLite(t *testing.T) {
	t.Parallel()
	runTargetPolicy(t, startServer(t, map[string]string{"WAREST_WEBHOOK_PRIVATE_TARGETS": "admins"}))
}

func TestWebhookTargetPolicyOnPostgres(t *testing.T) {
	t.Parallel()
	url := contract.PostgresURL(t)
	runTargetPolicy(t, startServer(t, map[string]string{"WAREST_WEBHOOK_PRIVATE_TARGETS": "admins",
		"WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": freshSchema(t, url)}))
}

// metadataTargets are refused for every session, an admin's included.
var metadataTargets = []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/",
	"http://168.63.129.16/", "http://192.0.0.192/", "http://[::ffff:169.254.169.254]/", "http://2852039166/"}

// runTargetPolicy: with the default policy, a tenant cannot point a webhook at the
// gateway's host or networks, and its preflights cannot tell why a target gave no
// answer; the admin may use a receiver on this host, but never a metadata address.
func runTargetPolicy(t *testing.T, s *server) {
	hook := newReceiver(t) // listening on 127.0.0.1
	closed := "http://127.0.0.1:" + freePort(t) + "/hook"
	_, tenant := newUser(t, s, "tina")
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=tina-shop", tenant, nil); status != 202 {
		t.Fatalf("create tina-shop: %d %+v", status, env)
	}
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=ops", adminKey, nil); status != 202 {
		t.Fatalf("create ops: %d %+v", status, env)
	}

	// The tenant: refused at once with 400/1201, nothing is stored or retried.
	for _, url := range append([]string{hook.srv.URL + "/hook", strings.Replace(hook.srv.URL, "127.0.0.1", "localhost", 1) + "/hook",
		"http://10.1.2.3/hook", "http://2130706433/"}, metadataTargets...) {
		status, env := s.call("POST", "/api/v1/session/tina-shop/config", tenant, map[string]any{"webhookUrl": url})
		if status != 400 || env.Code != 1201 {
			t.Errorf("tenant config %s: %d %+v, want 400/1201", url, status, env)
		}
		status, env = s.call("POST", "/api/v1/webhooks/subscriptions", tenant, map[string]any{"sessionId": "tina-shop", "url": url})
		if status != 400 || env.Code != 1201 {
			t.Errorf("tenant subscription %s: %d %+v, want 400/1201", url, status, env)
		}
	}
	if status, env := s.call("POST", "/api/v1/session/tina-shop/config", tenant, map[string]any{"webhookUrl": hook.srv.URL}); env.Code != 1201 ||
		!strings.Contains(env.Message, "not a public address") {
		t.Errorf("tenant config to loopback: %d %+v, want code 1201 saying why", status, env)
	}
	_, env := s.call("GET", "/api/v1/webhooks/subscriptions?sessionId=tina-shop", tenant, nil)
	if len(env.Results) != 0 {
		t.Fatalf("refused targets were stored: %+v", env.Results)
	}

	// The tenant's preflights: an open receiver on this host, a private address, a
	// closed port and a name that does not resolve all read the same.
	var first string
	for _, url := range []string{hook.srv.URL + "/hook", "http://10.1.2.3/hook", closed, "http://nonexistent.invalid/hook", "http://169.254.169.254/"} {
		status, raw := s.raw("POST", "/api/webhooks/preflight", tenant, map[string]any{"sessionId": "tina-shop", "url": url, "secret": "tina-secret"})
		body := strings.ReplaceAll(string(raw), url, "TARGET")
		if status != 400 || !strings.Contains(body, "target unreachable or not allowed") {
			t.Errorf("tenant preflight %s: %d %s", url, status, raw)
		}
		if first == "" {
			first = body
		} else if body != first {
			t.Errorf("tenant preflight %s differs:\n%s\nvs\n%s", url, body, first)
		}
	}
	if n := hook.count(); n != 0 {
		t.Fatalf("the receiver on this host got %d requests from a tenant", n)
	}

	// The admin's own session may use it, and reads why a target gave no answer.
	status, raw := s.raw("POST", "/api/webhooks/preflight", adminKey, map[string]any{"sessionId": "ops", "url": hook.srv.URL + "/hook", "secret": "ops-secret"})
	if status != 200 {
		t.Fatalf("admin preflight to this host: %d %s", status, raw)
	}
	status, raw = s.raw("POST", "/api/webhooks/preflight", adminKey, map[string]any{"sessionId": "ops", "url": closed, "secret": "ops-secret"})
	if status != 400 || !strings.Contains(string(raw), "refused") {
		t.Errorf("admin preflight to a closed port: %d %s, want the cause", status, raw)
	}
	if status, env := s.call("POST", "/api/v1/session/ops/config", adminKey, map[string]any{"webhookUrl": hook.srv.URL + "/hook", "preflight": true}); status != 200 {
		t.Fatalf("admin config to this host: %d %+v", status, env)
	}
	for _, url := range metadataTargets {
		status, env := s.call("POST", "/api/v1/session/ops/config", adminKey, map[string]any{"webhookUrl": url})
		if status != 400 || env.Code != 1201 {
			t.Errorf("admin config %s: %d %+v, want 400/1201", url, status, env)
		}
		status, env = s.call("POST", "/api/v1/webhooks/subscriptions", adminKey, map[string]any{"sessionId": "ops", "url": url})
		if status != 400 || env.Code != 1201 {
			t.Errorf("admin subscription %s: %d %+v, want 400/1201", url, status, env)
		}
		status, raw := s.raw("POST", "/api/webhooks/preflight", adminKey, map[string]any{"sessionId": "ops", "url": url, "secret": "ops-secret"})
		if status != 400 || !strings.Contains(string(raw), "not allowed") {
			t.Errorf("admin preflight %s: %d %s", url, status, raw)
		}
	}
	// The admin acting on the tenant's session gets the tenant's reach.
	if status, env := s.call("POST", "/api/v1/session/tina-shop/config", adminKey, map[string]any{"webhookUrl": hook.srv.URL}); status != 400 || env.Code != 1201 {
		t.Errorf("admin config of the tenant's session to loopback: %d %+v", status, env)
	}
}

// With every session allowed private receivers (a single-tenant server), a
// tenant's preflight failures still read the same: a closed port and a name that
// does not resolve really fail here, while an open receiver answers.
func TestWebhookPreflightFailuresLookAlikeOnASingleTenantServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	hook := newReceiver(t)
	_, tenant := newUser(t, s, "tina")
	if status, env := s.call("GET", "/api/v1/session/create?sessionId=tina-shop", tenant, nil); status != 202 {
		t.Fatalf("create: %d %+v", status, env)
	}
	preflight := func(url string) (int, string) {
		status, raw := s.raw("POST", "/api/webhooks/preflight", tenant, map[string]any{"sessionId": "tina-shop", "url": url, "secret": "tina-secret"})
		return status, strings.ReplaceAll(string(raw), url, "TARGET")
	}
	if status, body := preflight(hook.srv.URL + "/hook"); status != 200 || hook.count() != 1 {
		t.Fatalf("open receiver: %d %s", status, body)
	}
	_, closed := preflight("http://127.0.0.1:" + freePort(t) + "/hook")
	_, unresolved := preflight("http://nonexistent.invalid/hook")
	_, metadata := preflight("http://169.254.169.254/")
	var res struct {
		Results []struct {
			Error       string `json:"error"`
			RoundTripMs int64  `json:"roundTripMs"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(closed), &res); err != nil || len(res.Results) != 1 || res.Results[0].Error != "target unreachable or not allowed" {
		t.Fatalf("closed port: %s", closed)
	}
	if closed != unresolved || closed != metadata {
		t.Fatalf("preflight failures differ:\n%s\n%s\n%s", closed, unresolved, metadata)
	}
}

// A WEBHOOK_DEFAULT_URL the policy forbids stops the gateway at startup.
func TestForbiddenDefaultWebhookURLStopsTheGateway(t *testing.T) {
	t.Parallel()
	cases := []map[string]string{
		{"WEBHOOK_DEFAULT_URL": "http://169.254.169.254/latest/meta-data/"},
		{"WEBHOOK_DEFAULT_URL": "http://[fd00:ec2::254]/hook", "WAREST_DB_CLIENT": "postgres", "WAREST_DB_POSTGRES_URL": "postgres://127.0.0.1:1/none"},
		{"WEBHOOK_DEFAULT_URL": "http://[::ffff:a9fe:a9fe]/", "WAREST_WEBHOOK_PRIVATE_TARGETS": "all"},
		{"WEBHOOK_DEFAULT_URL": "http://127.0.0.1:9000/hook", "WAREST_WEBHOOK_PRIVATE_TARGETS": "none"},
	}
	for _, extra := range cases {
		dir := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, binary)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PORT="+freePort(t), "HOST=127.0.0.1", "WAREST_DATA_DIR="+dir, "WAREST_TRANSPORT=sandbox")
		for k, v := range extra {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 || timedOut {
			t.Errorf("%v: %v (timed out: %v), want a non-zero exit\n%s", extra, err, timedOut, out)
			continue
		}
		if !strings.Contains(string(out), "WEBHOOK_DEFAULT_URL") || !strings.Contains(string(out), "not allowed") {
			t.Errorf("%v: the message does not say what is wrong:\n%s", extra, out)
		}
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}
