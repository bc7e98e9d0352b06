package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/adapters/sandbox/remote"
	"github.com/warest-go/warest/adapters/system"
)

// defaultSandboxAddr is where `warest sandbox serve` shares its network.
const defaultSandboxAddr = "127.0.0.1:7400"

// sandboxOptions wires the virtual network: another process's when
// WAREST_SANDBOX_URL is set, else one in this process, shared with other gateways
// when WAREST_SANDBOX_SERVE names an address.
func sandboxOptions(cfg Config) fx.Option {
	if cfg.SandboxURL != "" {
		return fx.Options(remote.Module, fx.Supply(remote.Config{URL: cfg.SandboxURL}))
	}
	local := fx.Options(sandbox.Module, fx.Supply(sandboxConfig(cfg)))
	if cfg.SandboxServe == "" {
		return local
	}
	return fx.Options(local, remote.ServeModule, fx.Supply(remote.ServeConfig{Addr: cfg.SandboxServe}))
}

func sandboxConfig(cfg Config) sandbox.Config {
	return sandbox.Config{QRInterval: cfg.SandboxQRInterval, QRTTL: cfg.SandboxQRInterval}
}

// runSandbox is `warest sandbox serve [--addr host:port]`: a sandbox network alone,
// shared with the gateways started with WAREST_SANDBOX_URL=http://host:port.
func runSandbox(cfg Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("warest sandbox serve", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := defaultSandboxAddr
	if cfg.SandboxServe != "" {
		addr = cfg.SandboxServe
	}
	fs.StringVar(&addr, "addr", addr, "loopback address to share the network on")
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("usage: warest sandbox serve [--addr %s]", defaultSandboxAddr)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	app := fx.New(fx.WithLogger(fxLogger(log)), fx.Supply(log, sandboxConfig(cfg), remote.ServeConfig{Addr: addr}),
		system.Module, sandbox.Module, remote.ServeModule,
		fx.Invoke(func() {
			fmt.Fprintf(out, "WAREST sandbox network on http://%s (gateways: WAREST_SANDBOX_URL=http://%s)\n", addr, addr)
		}))
	if err := app.Err(); err != nil {
		return err
	}
	app.Run()
	return nil
}
