package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/warest-go/warest/adapters/httpapi"
)

func TestEnvelopeOnSuccessAndRouterFallbacks(t *testing.T) {
	t.Parallel()
	a := newApp(t)

	r := a.do(t, http.MethodGet, "/api/v1/server/ping", "", nil)
	expect(t, r, http.StatusOK, 1000)
	var ping struct {
		Ping          string  `json:"ping"`
		LatencyMs     float64 `json:"latencyMs"`
		ServerTimeUTC string  `json:"serverTimeUTC"`
		ServerTimeISO string  `json:"serverTimeISO"`
		Timezone      string  `json:"timezone"`
		Timestamp     int64   `json:"timestamp"`
	}
	r.result(t, 0, &ping)
	if ping.Ping != "pong" || ping.Timezone != "Asia/Jakarta" || !strings.HasSuffix(ping.ServerTimeISO, "+07:00") ||
		!strings.HasSuffix(ping.ServerTimeUTC, "Z") || ping.Timestamp == 0 {
		t.Fatalf("ping result %s", r.body)
	}

	r = a.do(t, http.MethodGet, "/api/v1/nope", a.adminKey, nil)
	expect(t, r, http.StatusNotFound, 2600)
	if !r.null {
		t.Fatalf("404 results should be null: %s", r.body)
	}
	r = a.do(t, http.MethodPut, "/api/v1/session/list", a.adminKey, nil)
	expect(t, r, http.StatusMethodNotAllowed, 2010)
}

func TestRequestFailuresUseTheEnvelope(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")

	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, `{"sessionId":"s1",`)
	expect(t, r, http.StatusBadRequest, 2008)
	if !r.null {
		t.Fatalf("error results should be null: %s", r.body)
	}
	// Wrong type: WAREST answers 400 where huma would answer 422.
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, `{"sessionId":"s1","to":"6281","isForwarded":"yes"}`)
	expect(t, r, http.StatusBadRequest, 2002)
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, `{"sessionId":"s1","to":42,"message":"x"}`)
	expect(t, r, http.StatusBadRequest, 2002)
	r = a.do(t, http.MethodPost, "/api/auth/login", "", map[string]string{"username": "alice"})
	expect(t, r, http.StatusBadRequest, 2001)
	r = a.do(t, http.MethodGet, "/api/v1/session/logout", key, nil)
	expect(t, r, http.StatusBadRequest, 1100)
	r = a.do(t, http.MethodGet, "/api/v1/session/logout?sessionId=bad/id!", key, nil)
	expect(t, r, http.StatusBadRequest, 2002)
	r = a.do(t, http.MethodGet, "/api/v1/session/devices?sessionId=missing", key, nil)
	expect(t, r, http.StatusNotFound, 1101)
	r = a.do(t, http.MethodPost, "/api/v1/messages/send/text", key, map[string]any{"sessionId": "missing", "to": "6281234", "message": "hi"})
	expect(t, r, http.StatusNotFound, 1101)
}

func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *httpapi.Config) { c.JSONLimit = 256 })
	key, _ := a.user(t, "alice")
	r := a.do(t, http.MethodPost, "/api/v1/messages/send/text", key,
		map[string]any{"sessionId": "s1", "to": "6281234567", "message": strings.Repeat("x", 1000)})
	expect(t, r, http.StatusRequestEntityTooLarge, 2006)
}

func TestAPIKeyLocations(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")
	cases := map[string]struct {
		target string
		opts   []reqOpt
	}{
		"X-WAREST-API-KEY":     {"/api/v1/session/list", []reqOpt{header("X-WAREST-API-KEY", key)}},
		"Authorization Bearer": {"/api/v1/session/list", []reqOpt{header("Authorization", "Bearer "+key)}},
		"Authorization Token":  {"/api/v1/session/list", []reqOpt{header("Authorization", "Token "+key)}},
		"Authorization APIKey": {"/api/v1/session/list", []reqOpt{header("Authorization", "APIKey "+key)}},
		"X-API-KEY":            {"/api/v1/session/list", []reqOpt{header("X-API-KEY", key)}},
		"Api-Key":              {"/api/v1/session/list", []reqOpt{header("Api-Key", key)}},
		"query api_key":        {"/api/v1/session/list?api_key=" + key, nil},
		"query apikey":         {"/api/v1/session/list?apikey=" + key, nil},
		"query apiKey":         {"/api/v1/session/list?apiKey=" + key, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			expect(t, a.do(t, http.MethodGet, c.target, "", nil, c.opts...), http.StatusOK, 1000)
		})
	}
}

func TestUnauthenticatedAndForbidden(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	key, _ := a.user(t, "alice")

	r := a.do(t, http.MethodGet, "/api/v1/session/list", "", nil)
	expect(t, r, http.StatusUnauthorized, 2200)
	r = a.do(t, http.MethodGet, "/api/v1/session/list", "wst_not-a-key", nil)
	expect(t, r, http.StatusUnauthorized, 2204)
	r = a.do(t, http.MethodGet, "/api/v1/session/list", "", nil, header("Authorization", "Basic abc"))
	expect(t, r, http.StatusUnauthorized, 2200)

	for _, path := range []string{"/api/v1/server/info", "/api/v1/server/healthz", "/api/v1/server/ready"} {
		expect(t, a.do(t, http.MethodGet, path, key, nil), http.StatusForbidden, 2201)
		expect(t, a.do(t, http.MethodGet, path, a.adminKey, nil), http.StatusOK, 1000)
	}
	// Listing users is the application's decision: 403 for non-admins.
	expect(t, a.do(t, http.MethodGet, "/api/v1/users", key, nil), http.StatusForbidden, 2201)
}

func TestServerRoutes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.do(t, http.MethodGet, "/api/v1/server/healthz", a.adminKey, nil)
	expect(t, r, http.StatusOK, 1000)
	var health struct {
		Status   string `json:"status"`
		Services struct {
			Database struct {
				Status       string `json:"status"`
				DatabaseType string `json:"databaseType"`
			} `json:"database"`
		} `json:"services"`
	}
	r.result(t, 0, &health)
	if health.Status != "healthy" || health.Services.Database.Status != "ok" || health.Services.Database.DatabaseType != "sqlite" {
		t.Fatalf("health %s", r.body)
	}
	r = a.do(t, http.MethodGet, "/api/v1/server/info", a.adminKey, nil)
	var info struct {
		ServiceName string         `json:"serviceName"`
		Sessions    map[string]int `json:"sessions"`
		Runtime     []struct {
			Name string `json:"name"`
		} `json:"runtime"`
	}
	r.result(t, 0, &info)
	if info.ServiceName != "WAREST" || len(info.Runtime) != 1 || info.Runtime[0].Name != "go" {
		t.Fatalf("info %s", r.body)
	}
	r = a.do(t, http.MethodGet, "/api/v1/server/ready", a.adminKey, nil)
	if !strings.Contains(string(r.body), `"ready":true`) {
		t.Fatalf("ready %s", r.body)
	}
}
