package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/httpapi"
	"github.com/warest-go/warest/adapters/metrics"
	"github.com/warest-go/warest/adapters/tracing"
	"github.com/warest-go/warest/domain/proxy"
	"github.com/warest-go/warest/ports"
)

// dbPool is a store whose connection pool metrics can show.
type dbPool interface{ PoolStats() sql.DBStats }

// proxyPool is a transport whose proxies metrics can show (whatsmeow).
type proxyPool interface{ ProxyHealth() []proxy.Health }

type metricsIn struct {
	fx.In
	Stats   ports.StatsReader
	Pool    dbPool
	Proxies proxyPool `optional:"true"`
	Log     *slog.Logger
}

// tracingOptions provides the OpenTelemetry tracer when the environment asks for
// traces; without it nothing is traced and no tracer is built.
func tracingOptions(cfg Config) fx.Option {
	if !cfg.Tracing {
		return fx.Options()
	}
	return fx.Provide(
		func(lc fx.Lifecycle, c Config) (*tracing.Tracer, error) {
			t, err := tracing.FromEnv(context.Background(), c.ServerName, version)
			if err != nil {
				return nil, fmt.Errorf("OpenTelemetry: %w", err)
			}
			lc.Append(fx.StopHook(t.Shutdown)) // sends the spans still buffered
			return t, nil
		},
		func(t *tracing.Tracer) ports.Tracer { return t },
		func(t *tracing.Tracer) httpapi.Tracer { return t },
	)
}

// metricsModule provides the Prometheus adapter to the application (what it
// counts) and to the HTTP API (requests and /metrics).
var metricsModule = fx.Module("metrics",
	fx.Provide(
		func(in metricsIn) *metrics.Metrics {
			src := metrics.Sources{Stats: in.Stats, DBPool: in.Pool.PoolStats, Log: in.Log}
			if in.Proxies != nil {
				src.Proxies = in.Proxies.ProxyHealth
			}
			return metrics.New(src)
		},
		func(m *metrics.Metrics) ports.Metrics { return m },
		func(m *metrics.Metrics) httpapi.Metrics { return m },
	),
)
