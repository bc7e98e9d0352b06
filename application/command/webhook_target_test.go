package command_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/test/appworld"
)

// names resolves host names from a map; others do not exist.
type names map[string][]string

func (n names) LookupNetIP(_ context.Context, host string) ([]netip.Addr, error) {
	list, ok := n[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	out := make([]netip.Addr, len(list))
	for i, s := range list {
		out[i] = netip.MustParseAddr(s)
	}
	return out, nil
}

var resolver = names{
	"hooks.example.com":        {"93.184.216.34"},
	"hooks.lan":                {"10.0.0.7"},
	"localhost":                {"::ffff:127.0.0.1", "::1"},
	"split.example.com":        {"93.184.216.34", "192.168.1.2"},
	"metadata.google.internal": {"169.254.169.254"},
}

// targetWorld has budi's session "alice" and the admin's session "main".
func targetWorld(t *testing.T, targets netpolicy.PrivateTargets) *appworld.World {
	t.Helper()
	w := appworld.New(t, appworld.Options{Resolver: resolver, Targets: targets})
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.User, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Cmd.Sessions.CreateSession(w.Ctx, w.Admin, "main"); err != nil {
		t.Fatal(err)
	}
	return w
}

func isForbiddenTarget(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == fault.KindInvalid && fe.Reason == fault.ReasonTargetForbidden
}

var (
	privateURLs  = []string{"http://127.0.0.1:9000/hook", "http://[::1]:9000/", "http://[::ffff:127.0.0.1]/", "http://10.1.2.3/", "http://192.168.1.2/", "http://hooks.lan/hook", "http://localhost:8080/", "https://split.example.com/"}
	metadataURLs = []string{"http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials", "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://168.63.129.16/", "http://192.0.0.192/",
		"http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://0.0.0.0:9000/", "http://[::]/", "http://metadata.google.internal/computeMetadata/v1/"}
	numericURLs = []string{"http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/", "http://2852039166/"}
	publicURLs  = []string{"https://hooks.example.com/h", "https://93.184.216.34/h", "https://not-yet.example.com/h"}
)

func TestWebhookTargets_TenantsNeedPublicReceivers(t *testing.T) {
	t.Parallel()
	w := targetWorld(t, netpolicy.PrivateForAdmins)
	ws := command.WebhookSettings{Algorithm: webhook.SHA256}
	sub, err := w.Cmd.Subscriptions.CreateSubscription(w.Ctx, w.User, command.SubscriptionInput{SessionID: "alice", URL: publicURLs[0]})
	if err != nil {
		t.Fatal(err)
	}
	refused := append(append(append([]string{}, privateURLs...), metadataURLs...), numericURLs...)
	for _, url := range refused {
		// The admin acting on budi's session gets budi's reach: it is the session's.
		for _, p := range []string{"owner", "admin"} {
			caller := w.User
			if p == "admin" {
				caller = w.Admin
			}
			if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, caller, "alice", command.WebhookInput{URL: url}, ws); !isForbiddenTarget(err) {
				t.Errorf("config %s by the %s: %v, want refused", url, p, err)
			}
		}
		if _, err := w.Cmd.Subscriptions.CreateSubscription(w.Ctx, w.User, command.SubscriptionInput{SessionID: "alice", URL: url}); !isForbiddenTarget(err) {
			t.Errorf("subscription %s: %v, want refused", url, err)
		}
		if _, err := w.Cmd.Subscriptions.UpdateSubscription(w.Ctx, w.User, sub.ID, command.SubscriptionPatch{URL: &url}); !isForbiddenTarget(err) {
			t.Errorf("patch to %s: %v, want refused", url, err)
		}
	}
	if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: "http://10.1.2.3/"}, ws); !isForbiddenTarget(err) ||
		!strings.Contains(err.Error(), "not a public address") {
		t.Errorf("private: %v", err)
	}
	for _, url := range publicURLs {
		if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.User, "alice", command.WebhookInput{URL: url}, ws); err != nil {
			t.Errorf("config %s: %v", url, err)
		}
	}
	// The session's own events may reach the public receivers; nothing reaches a refused one.
	for _, r := range w.Sender.Requests("", "") {
		if slices.Contains(refused, r.URL) {
			t.Fatalf("a request went to the refused %s", r.URL)
		}
	}
}

func TestWebhookTargets_AdminsMayUsePrivateReceiversNeverMetadata(t *testing.T) {
	t.Parallel()
	w := targetWorld(t, netpolicy.PrivateForAdmins)
	ws := command.WebhookSettings{Algorithm: webhook.SHA256}
	for _, url := range append(append([]string{}, privateURLs...), publicURLs...) {
		if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.Admin, "main", command.WebhookInput{URL: url}, ws); err != nil {
			t.Errorf("config %s: %v", url, err)
		}
	}
	for _, url := range metadataURLs {
		_, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.Admin, "main", command.WebhookInput{URL: url}, ws)
		if !isForbiddenTarget(err) || !strings.Contains(err.Error(), "metadata") {
			t.Errorf("config %s: %v, want refused as metadata", url, err)
		}
		if _, err := w.Cmd.Subscriptions.CreateSubscription(w.Ctx, w.Admin, command.SubscriptionInput{SessionID: "main", URL: url}); !isForbiddenTarget(err) {
			t.Errorf("subscription %s: %v, want refused", url, err)
		}
	}
}

func TestWebhookTargets_SingleTenantAndPublicOnlyServers(t *testing.T) {
	t.Parallel()
	ws := command.WebhookSettings{Algorithm: webhook.SHA256}
	all := targetWorld(t, netpolicy.PrivateForAll)
	none := targetWorld(t, netpolicy.PrivateForNone)
	for _, url := range privateURLs {
		if _, err := all.Cmd.Webhook.ConfigureWebhook(all.Ctx, all.User, "alice", command.WebhookInput{URL: url}, ws); err != nil {
			t.Errorf("all, tenant, %s: %v", url, err)
		}
		if _, err := none.Cmd.Webhook.ConfigureWebhook(none.Ctx, none.Admin, "main", command.WebhookInput{URL: url}, ws); !isForbiddenTarget(err) {
			t.Errorf("none, admin, %s: %v, want refused", url, err)
		}
	}
	for _, url := range metadataURLs {
		if _, err := all.Cmd.Webhook.ConfigureWebhook(all.Ctx, all.User, "alice", command.WebhookInput{URL: url}, ws); !isForbiddenTarget(err) {
			t.Errorf("all, tenant, %s: %v, want refused", url, err)
		}
	}
}

// A preflight that got no answer reads the same to a tenant whatever the cause;
// an admin reads the cause. A refused target is never dialled.
func TestWebhookTargets_PreflightFailuresLookAlikeToTenants(t *testing.T) {
	t.Parallel()
	w := targetWorld(t, netpolicy.PrivateForAdmins)
	ws := command.WebhookSettings{Algorithm: webhook.SHA256, PreflightTimeout: time.Second}
	w.Sender.NetErrors("preflight", 1)
	for _, url := range append(append([]string{"https://hooks.example.com/down"}, privateURLs...), metadataURLs...) {
		res, err := w.Cmd.Webhook.PreflightWebhook(w.Ctx, w.User, "alice", url, appworld.UserSecret, ws)
		if err != nil || res != (command.PreflightResult{Target: url, Error: "target unreachable or not allowed"}) {
			t.Errorf("tenant preflight %s: %+v %v", url, res, err)
		}
	}
	if got := w.Sender.Requests("X-WAREST-Event", "preflight"); len(got) != 1 || got[0].URL != "https://hooks.example.com/down" {
		t.Fatalf("preflights sent: %+v", got)
	}
	res, err := w.Cmd.Webhook.PreflightWebhook(w.Ctx, w.Admin, "main", metadataURLs[0], appworld.UserSecret, ws)
	if err != nil || res.OK || !strings.Contains(res.Error, "metadata") {
		t.Errorf("admin preflight to metadata: %+v %v", res, err)
	}
	res, err = w.Cmd.Webhook.PreflightWebhook(w.Ctx, w.Admin, "alice", privateURLs[0], appworld.UserSecret, ws)
	if err != nil || res.OK || !strings.Contains(res.Error, "not a public address") {
		t.Errorf("admin preflight to a tenant's private target: %+v %v", res, err)
	}
	// An answer, even a failing one, is the receiver's and shows.
	w.Sender.Script("preflight", 500)
	res, err = w.Cmd.Webhook.PreflightWebhook(w.Ctx, w.User, "alice", publicURLs[0], appworld.UserSecret, ws)
	if err != nil || res.OK || res.Status != 500 {
		t.Errorf("tenant preflight answered 500: %+v %v", res, err)
	}
	if r := w.Sender.Requests("X-WAREST-Event", "preflight"); r[len(r)-1].Reach != netpolicy.Public {
		t.Errorf("a tenant's preflight went out with reach %d", r[len(r)-1].Reach)
	}
}
