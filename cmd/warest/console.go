package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/system"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/ports"
)

// withConsole opens the store (migrating it), runs do with the console's use
// cases and closes the store again; the gateway need not be running.
func withConsole(do func(*command.Console) error) error {
	cfg, log, err := setup()
	if err != nil {
		return err
	}
	var console *command.Console
	opts := append(storeOptions(cfg), fx.Supply(log), system.Module,
		fx.Invoke(func(s ports.Store, c ports.Clock, ids ports.IDs) { console = command.NewConsole(s, c, ids) }))
	return runOnce(log, opts, func() error { return do(console) })
}

// usersCommand is `warest users create|reset-password`.
func usersCommand(out io.Writer) *cobra.Command {
	cmd := group("users", "Manage accounts (prints generated passwords once)")
	var password, role string
	create := &cobra.Command{Use: "create USERNAME", Short: "Create an account", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return withConsole(func(c *command.Console) error {
				u, generated, err := c.CreateUser(context.Background(), args[0], password, account.Role(role))
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "created %s %q (id %s)\n", u.Role, u.Username, u.ID)
				printSecret(out, "password", generated)
				return nil
			})
		}}
	create.Flags().StringVar(&password, "password", "", "the password (at least 8 characters); default: generated and printed once")
	create.Flags().StringVar(&role, "role", string(account.RoleUser), "admin or user")
	reset := &cobra.Command{Use: "reset-password USERNAME", Short: "Set an account's password", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return withConsole(func(c *command.Console) error {
				generated, err := c.ResetPassword(context.Background(), args[0], password)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "password of %q changed\n", args[0])
				printSecret(out, "password", generated)
				return nil
			})
		}}
	reset.Flags().StringVar(&password, "password", "", "the new password; default: generated and printed once")
	cmd.AddCommand(create, reset)
	return cmd
}

// keysCommand is `warest keys create`.
func keysCommand(out io.Writer) *cobra.Command {
	cmd := group("keys", "Manage API keys (prints the key once)")
	var name string
	create := &cobra.Command{Use: "create USERNAME", Short: "Issue an API key for an account", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return withConsole(func(c *command.Console) error {
				plain, k, err := c.CreateKey(context.Background(), args[0], name)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "api key %s (%s) issued to %q\n", k.ID, k.Name, args[0])
				printSecret(out, "key", plain)
				return nil
			})
		}}
	create.Flags().StringVar(&name, "name", "cli", "a name to tell the key apart")
	cmd.AddCommand(create)
	return cmd
}

// printSecret shows a secret once, on a line of its own, for scripts to read
// (`warest keys create admin | tail -1 | cut -d' ' -f2`).
func printSecret(out io.Writer, what, secret string) {
	if secret != "" {
		fmt.Fprintf(out, "%s: %s\n", what, secret)
	}
}
