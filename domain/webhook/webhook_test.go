package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/webhook"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

var info = webhook.SessionInfo{ID: "sales", Label: "sales", Registry: "ABCDEFGHIJ", Username: "budi"}

func TestBody_FieldOrderAndSessionID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		data     string
		wantData string
	}{
		{"sessionId appended keeping field order", `{"z":1,"a":{"y":2,"b":3},"m":[1,2]}`, `{"z":1,"a":{"y":2,"b":3},"m":[1,2],"sessionId":"sales"}`},
		{"existing sessionId kept", `{"sessionId":"other","a":1}`, `{"sessionId":"other","a":1}`},
		{"empty data", ``, `{"sessionId":"sales"}`},
		{"whitespace data", " \n", `{"sessionId":"sales"}`},
		{"empty object", `{}`, `{"sessionId":"sales"}`},
		{"empty object with spaces", `{ }`, `{"sessionId":"sales"}`},
		{"null is treated as empty", `null`, `{"sessionId":"sales"}`},
		{"surrounding whitespace trimmed", "  {\"a\":1}\n", `{"a":1,"sessionId":"sales"}`},
		{"nested sessionId does not count", `{"x":{"sessionId":"n"}}`, `{"x":{"sessionId":"n"},"sessionId":"sales"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.Body("message_received", json.RawMessage(tt.data), "sales", t0, info)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"event":"message_received","data":` + tt.wantData + `,"ts":1735787045678,` +
				`"session":{"id":"sales","label":"sales","registry":"ABCDEFGHIJ","username":"budi"}}`
			if string(got) != want {
				t.Fatalf("Body =\n%s\nwant\n%s", got, want)
			}
			if !json.Valid(got) {
				t.Fatal("body is not valid JSON")
			}
		})
	}
}

func TestBody_SessionIDIsJSONEscaped(t *testing.T) {
	t.Parallel()
	got, err := webhook.Body("e", json.RawMessage(`{"a":1}`), `we"ird`, t0, info)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatalf("invalid body %s: %v", got, err)
	}
	if b.Data["sessionId"] != `we"ird` {
		t.Fatalf("sessionId = %v", b.Data["sessionId"])
	}
}

func TestBody_NonObjectDataIsAnError(t *testing.T) {
	t.Parallel()
	for _, data := range []string{`[1,2]`, `"text"`, `42`, `true`, `{"a":`, `{"a":1}{"b":2}`} {
		t.Run(data, func(t *testing.T) {
			t.Parallel()
			if b, err := webhook.Body("e", json.RawMessage(data), "s", t0, info); err == nil {
				t.Fatalf("Body accepted %s: %s", data, b)
			}
		})
	}
}

// opensslHMAC computes the hex HMAC with the openssl CLI, an implementation
// independent of Go's crypto packages.
func opensslHMAC(t *testing.T, digest string, key, body []byte) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: cannot check signatures against an independent HMAC implementation")
	}
	cmd := exec.Command(path, "dgst", "-"+digest, "-hmac", string(key), "-r")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) == 0 {
		t.Fatalf("openssl printed nothing")
	}
	return fields[0]
}

func TestSign_MatchesOpenSSL(t *testing.T) {
	t.Parallel()
	bodies := [][]byte{
		[]byte(`{"event":"message_received","data":{"a":1,"sessionId":"s"},"ts":1,"session":{}}`),
		[]byte(""),
		[]byte("ünïcode \u00e9 body with\nnewlines"),
	}
	tests := []struct {
		alg    webhook.Algorithm
		digest string
		name   string
		hexLen int
	}{
		{webhook.SHA224, "sha224", "HMAC-SHA224", 56},
		{webhook.SHA256, "sha256", "HMAC-SHA256", 64},
		{webhook.SHA384, "sha384", "HMAC-SHA384", 96},
		{webhook.SHA512, "sha512", "HMAC-SHA512", 128},
	}
	key := webhook.SigningKey("s3cr3t-Key!", "budi")
	for _, tt := range tests {
		for i, body := range bodies {
			t.Run(fmt.Sprintf("%s_body%d", tt.name, i), func(t *testing.T) {
				t.Parallel()
				want := tt.name + "=" + opensslHMAC(t, tt.digest, key, body)
				got := webhook.Sign(tt.alg, key, body)
				if got != want {
					t.Fatalf("Sign = %s\nwant %s", got, want)
				}
				if len(got) != len(tt.name)+1+tt.hexLen {
					t.Fatalf("signature length %d", len(got))
				}
			})
		}
	}
}

func TestSign_DependsOnKeyAndBody(t *testing.T) {
	t.Parallel()
	a := webhook.Sign(webhook.SHA256, []byte("k1"), []byte("b"))
	if a == webhook.Sign(webhook.SHA256, []byte("k2"), []byte("b")) || a == webhook.Sign(webhook.SHA256, []byte("k1"), []byte("c")) {
		t.Fatal("signature does not depend on key and body")
	}
}

func TestSigningKey_IsSecretThenUsername(t *testing.T) {
	t.Parallel()
	if got := string(webhook.SigningKey("secret", "budi")); got != "secretbudi" {
		t.Fatalf("SigningKey = %q", got)
	}
	if got := string(webhook.SigningKey("secret", "")); got != "secret" {
		t.Fatalf("SigningKey without username = %q", got)
	}
}

func TestParseAlgorithm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int
		want webhook.Algorithm
		name string
	}{
		{224, webhook.SHA224, "HMAC-SHA224"},
		{256, webhook.SHA256, "HMAC-SHA256"},
		{384, webhook.SHA384, "HMAC-SHA384"},
		{512, webhook.SHA512, "HMAC-SHA512"},
		{0, webhook.SHA256, "HMAC-SHA256"},
		{1, webhook.SHA256, "HMAC-SHA256"},
		{128, webhook.SHA256, "HMAC-SHA256"},
		{-512, webhook.SHA256, "HMAC-SHA256"},
	}
	for _, tt := range tests {
		if got := webhook.ParseAlgorithm(tt.in); got != tt.want || got.Name() != tt.name {
			t.Errorf("ParseAlgorithm(%d) = %v (%s), want %v (%s)", tt.in, got, got.Name(), tt.want, tt.name)
		}
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	const secret = "topSECRETvalue"
	key := webhook.SigningKey(secret, info.Username)
	env := webhook.Envelope{Event: "message_received", EventID: "01JEVENT", Data: json.RawMessage(`{"text":"hi"}`),
		SessionID: "sales", At: t0, Session: info}
	common := map[string]string{
		"Content-Type":           "application/json",
		"X-WAREST-Signature-Alg": "HMAC-SHA384",
		"X-WAREST-Timestamp":     "1735787045678",
		"X-WAREST-Event":         "message_received",
		"X-WAREST-Event-Id":      "01JEVENT",
		"X-WAREST-Session":       "sales",
		"X-WAREST-Registry":      "ABCDEFGHIJ",
		"X-WAREST-Label":         "sales",
		"X-WAREST-Username":      "budi",
		"X-WAREST-Version":       "1",
	}
	tests := []struct {
		name    string
		attempt int
		extra   map[string]string
		absent  string
	}{
		{"first attempt", 1, map[string]string{"X-WAREST-Delivery-Attempt": "1"}, "X-WAREST-Preflight"},
		{"third attempt", 3, map[string]string{"X-WAREST-Delivery-Attempt": "3"}, "X-WAREST-Preflight"},
		{"preflight", 0, map[string]string{"X-WAREST-Preflight": "1"}, "X-WAREST-Delivery-Attempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := env
			e.Attempt = tt.attempt
			req, err := webhook.Build(webhook.Signing{Mode: webhook.ModeWAREST, Algorithm: webhook.SHA384, Keys: [][]byte{key}}, e)
			if err != nil {
				t.Fatal(err)
			}
			wantBody, _ := webhook.Body(e.Event, e.Data, e.SessionID, e.At, e.Session)
			if !bytes.Equal(req.Body, wantBody) {
				t.Fatalf("body %s, want %s", req.Body, wantBody)
			}
			if sig := req.Headers["X-WAREST-Signature"]; sig != "HMAC-SHA384="+opensslHMAC(t, "sha384", []byte(secret+"budi"), req.Body) {
				t.Fatalf("signature %q does not verify over the body", sig)
			}
			want := map[string]string{}
			for k, v := range common {
				want[k] = v
			}
			for k, v := range tt.extra {
				want[k] = v
			}
			for k, v := range want {
				if got, ok := req.Headers[k]; !ok || got != v {
					t.Errorf("header %s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			if _, ok := req.Headers[tt.absent]; ok {
				t.Errorf("header %s must be absent", tt.absent)
			}
			if len(req.Headers) != len(want)+1 { // + signature
				t.Errorf("unexpected headers: %v", req.Headers)
			}
			for k, v := range req.Headers {
				if strings.Contains(k, secret) || strings.Contains(v, secret) || strings.Contains(v, secret+"budi") {
					t.Errorf("secret leaked in header %s: %s", k, v)
				}
			}
			if bytes.Contains(req.Body, []byte(secret)) {
				t.Errorf("secret leaked in body: %s", req.Body)
			}
		})
	}
}

func TestBuild_BadDataIsAnError(t *testing.T) {
	t.Parallel()
	_, err := webhook.Build(webhook.Signing{Algorithm: webhook.SHA256, Keys: [][]byte{[]byte("k")}}, webhook.Envelope{Event: "e", Data: json.RawMessage(`[1]`), At: t0})
	if err == nil {
		t.Fatal("Build accepted non-object data")
	}
}

func TestPolicy_Delay(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{MaxAttempts: 10, Base: 100 * time.Millisecond, Max: time.Second}
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, 100 * time.Millisecond},
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{6, time.Second},
		{60, time.Second},
	}
	for _, tt := range tests {
		if got := p.Delay(tt.attempt); got != tt.want {
			t.Errorf("Delay(%d) = %v, want %v", tt.attempt, got, tt.want)
		}
	}
	if got := webhook.DefaultPolicy.Delay(3); got != 3200*time.Millisecond {
		t.Errorf("DefaultPolicy.Delay(3) = %v, want 3.2s", got)
	}
	if webhook.DefaultPolicy.Horizon != 24*time.Hour {
		t.Errorf("default horizon %v, want 24h", webhook.DefaultPolicy.Horizon)
	}
}

func TestPolicy_Delay_WithoutMaxUsesTheDefaultCap(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{Base: 10 * time.Millisecond}
	if got := p.Delay(4); got != 80*time.Millisecond {
		t.Fatalf("Delay(4) without Max = %v, want 80ms", got)
	}
	if got := p.Delay(200); got != webhook.DefaultPolicy.Max {
		t.Fatalf("Delay(200) without Max = %v, want the default cap %v", got, webhook.DefaultPolicy.Max)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	netErr := errors.New("connection refused")
	tests := []struct {
		name          string
		o             webhook.Outcome
		ok, retryable bool
	}{
		{"200", webhook.Outcome{HTTPStatus: 200}, true, false},
		{"204", webhook.Outcome{HTTPStatus: 204}, true, false},
		{"299", webhook.Outcome{HTTPStatus: 299}, true, false},
		{"301", webhook.Outcome{HTTPStatus: 301}, false, false},
		{"400", webhook.Outcome{HTTPStatus: 400}, false, false},
		{"401", webhook.Outcome{HTTPStatus: 401}, false, false},
		{"404", webhook.Outcome{HTTPStatus: 404}, false, false},
		{"408", webhook.Outcome{HTTPStatus: 408}, false, true},
		{"410", webhook.Outcome{HTTPStatus: 410}, false, false},
		{"429", webhook.Outcome{HTTPStatus: 429}, false, true},
		{"500", webhook.Outcome{HTTPStatus: 500}, false, true},
		{"502", webhook.Outcome{HTTPStatus: 502}, false, true},
		{"503", webhook.Outcome{HTTPStatus: 503}, false, true},
		{"network error", webhook.Outcome{Err: netErr}, false, true},
		{"error with 200", webhook.Outcome{HTTPStatus: 200, Err: netErr}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.o.OK() != tt.ok || tt.o.Retryable() != tt.retryable {
				t.Fatalf("OK=%v Retryable=%v, want %v %v", tt.o.OK(), tt.o.Retryable(), tt.ok, tt.retryable)
			}
		})
	}
}

func TestNewDelivery(t *testing.T) {
	t.Parallel()
	local := t0.In(time.FixedZone("X", 3600))
	d := webhook.NewDelivery("d1", "e1", "s1", "sub1", "https://x.test/h", local)
	want := webhook.Delivery{ID: "d1", EventID: "e1", SessionID: "s1", SubscriptionID: "sub1", URL: "https://x.test/h",
		Status: webhook.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0, RetryFrom: t0, UpdatedAt: t0}
	if d != want {
		t.Fatalf("NewDelivery = %+v\nwant %+v", d, want)
	}
}

func TestPolicy_Record(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{MaxAttempts: 4, Base: time.Second, Max: time.Minute, Jitter: 300 * time.Millisecond}
	now := t0.Add(time.Hour)
	netErr := errors.New("dial tcp: i/o timeout")
	tests := []struct {
		name       string
		prior      int // attempts before this one
		o          webhook.Outcome
		wantStatus webhook.DeliveryStatus
		wantDelay  time.Duration // for rescheduled: base delay before jitter
		wantErr    string
	}{
		{"200 delivers", 0, webhook.Outcome{HTTPStatus: 200}, webhook.DeliveryDelivered, 0, ""},
		{"204 on last attempt delivers", 3, webhook.Outcome{HTTPStatus: 204}, webhook.DeliveryDelivered, 0, ""},
		{"500 reschedules", 0, webhook.Outcome{HTTPStatus: 500}, webhook.DeliveryPending, time.Second, ""},
		{"429 reschedules with doubled delay", 1, webhook.Outcome{HTTPStatus: 429}, webhook.DeliveryPending, 2 * time.Second, ""},
		{"408 reschedules", 2, webhook.Outcome{HTTPStatus: 408}, webhook.DeliveryPending, 4 * time.Second, ""},
		{"network error reschedules", 0, webhook.Outcome{Err: netErr}, webhook.DeliveryPending, time.Second, netErr.Error()},
		{"400 is dead at once", 0, webhook.Outcome{HTTPStatus: 400}, webhook.DeliveryDead, 0, ""},
		{"404 is dead at once", 0, webhook.Outcome{HTTPStatus: 404}, webhook.DeliveryDead, 0, ""},
		{"500 on the last attempt is dead", 3, webhook.Outcome{HTTPStatus: 500}, webhook.DeliveryDead, 0, ""},
		{"network error on the last attempt is dead", 3, webhook.Outcome{Err: netErr}, webhook.DeliveryDead, 0, netErr.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for range 20 { // jitter is random: check the bounds repeatedly
				d := webhook.NewDelivery("d1", "e1", "s1", "sub1", "https://x.test/h", t0)
				d.Attempts = tt.prior
				d.LastError = "stale"
				p.Record(&d, tt.o, now)
				if d.Status != tt.wantStatus || d.Attempts != tt.prior+1 || d.LastStatus != tt.o.HTTPStatus || !d.UpdatedAt.Equal(now) || d.LastError != tt.wantErr {
					t.Fatalf("after Record: %+v", d)
				}
				if tt.wantStatus != webhook.DeliveryPending {
					if !d.NextAttemptAt.Equal(t0) {
						t.Fatalf("final delivery rescheduled to %v", d.NextAttemptAt)
					}
					continue
				}
				wait := d.NextAttemptAt.Sub(now)
				if wait < tt.wantDelay || wait >= tt.wantDelay+p.Jitter {
					t.Fatalf("next attempt in %v, want within [%v, %v)", wait, tt.wantDelay, tt.wantDelay+p.Jitter)
				}
			}
		})
	}
}

func TestPolicy_Record_NoJitterIsExact(t *testing.T) {
	t.Parallel()
	p := webhook.Policy{MaxAttempts: 3, Base: 10 * time.Millisecond, Max: time.Second}
	d := webhook.NewDelivery("d", "e", "s", "sub", "u", t0)
	p.Record(&d, webhook.Outcome{HTTPStatus: 503}, t0)
	p.Record(&d, webhook.Outcome{HTTPStatus: 503}, t0)
	if d.Status != webhook.DeliveryPending || d.NextAttemptAt != t0.Add(20*time.Millisecond) {
		t.Fatalf("after two failures: %+v", d)
	}
	p.Record(&d, webhook.Outcome{HTTPStatus: 503}, t0)
	if d.Status != webhook.DeliveryDead || d.Attempts != 3 {
		t.Fatalf("after MaxAttempts failures: %+v", d)
	}
}
