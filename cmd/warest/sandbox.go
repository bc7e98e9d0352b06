package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
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
		return fx.Options(remote.Module, fx.Supply(remote.Config{URL: cfg.SandboxURL, Name: cfg.Addr()}))
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

// sandboxCommand is `warest sandbox serve [--addr host:port]`: a sandbox network
// alone, shared with the gateways started with WAREST_SANDBOX_URL=http://host:port.
func sandboxCommand(out io.Writer) *cobra.Command {
	cmd := group("sandbox", "The virtual WhatsApp network")
	var addr string
	serve := &cobra.Command{Use: "serve", Short: "Share a sandbox network with gateways on this host", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, log, err := setup()
			if err != nil {
				return err
			}
			if !c.Flags().Changed("addr") && cfg.SandboxServe != "" {
				addr = cfg.SandboxServe
			}
			return runUntilSignal(cfg, log, []fx.Option{fx.Supply(log, sandboxConfig(cfg), remote.ServeConfig{Addr: addr}),
				system.Module, sandbox.Module, remote.ServeModule,
				fx.Invoke(func() {
					fmt.Fprintf(out, "WAREST sandbox network on http://%s (gateways: WAREST_SANDBOX_URL=http://%s)\n", addr, addr)
				})}, nil)
		}}
	serve.Flags().StringVar(&addr, "addr", defaultSandboxAddr, "loopback address to share the network on (default: WAREST_SANDBOX_SERVE, else this)")
	cmd.AddCommand(serve)
	return cmd
}
