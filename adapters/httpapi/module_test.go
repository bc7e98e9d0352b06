package httpapi_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/warestjson"
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
