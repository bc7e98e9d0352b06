package httpapi_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/warestjson"
	"github.com/warest-go/warest/ports"
)

func TestModuleWithoutSandboxAndBusyPort(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	var h http.Handler
	app := fx.New(fx.NopLogger,
		fx.Supply(a.cmd, a.q, slog.Default(), httpapi.Config{Addr: busy.Addr().String()}),
		httpapi.Module,
		warestjson.Module,
		fx.Populate(&h),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	if err := app.Start(context.Background()); err == nil {
		_ = app.Stop(context.Background())
		t.Fatal("boot succeeded on a busy port")
	}
	// Without a sandbox network its control routes do not exist.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/sandbox/sessions/s1/sent", nil)
	req.Header.Set("X-WAREST-API-KEY", a.adminKey)
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("sandbox route without sandbox: %d", rec.Code)
	}
}

// The module takes the node's session ownership when the app provides one: a
// session meant to run that no node owns is answered 503, not run here.
func TestModuleForwardsWithOwnership(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.openSession(t, a.adminKey, "s1", "6281234567890")
	table := &ownerTable{owners: map[string]ports.SessionOwner{}}

	var h http.Handler
	app := fx.New(fx.NopLogger,
		fx.Supply(a.cmd, a.q, slog.Default(), httpapi.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(func() ports.Ownership { return nodeOwnership{self: "A", table: table} }),
		httpapi.Module,
		warestjson.Module,
		fx.Populate(&h),
	)
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/groups?sessionId=s1", nil)
	req.Header.Set("X-WAREST-API-KEY", a.adminKey)
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("unowned session through the module: %d %s", rec.Code, rec.Body)
	}
	if got := table.recorded(); !slices.Equal(got, []string{"A owner s1"}) {
		t.Fatalf("ownership calls %v", got)
	}
}
