package worker_test

import (
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/test/appworld"
)

// A delivery may reach as far as its session's owner may: an admin's receivers may
// be private, a tenant's must be public (unless every receiver may be private), and
// the server default is the operator's.
func TestWebhooks_ReachFollowsTheSessionOwner(t *testing.T) {
	t.Parallel()
	const defaultURL, aliceURL, mainURL = "https://default.test/h", "https://hooks.test/alice", "https://hooks.test/main"
	cases := map[string]struct {
		targets                 netpolicy.PrivateTargets
		tenant, admin, operator netpolicy.Reach
	}{
		"admins": {netpolicy.PrivateForAdmins, netpolicy.Public, netpolicy.Private, netpolicy.Private},
		"all":    {netpolicy.PrivateForAll, netpolicy.Private, netpolicy.Private, netpolicy.Private},
		"none":   {netpolicy.PrivateForNone, netpolicy.Public, netpolicy.Public, netpolicy.Public},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := appworld.New(t, appworld.Options{Targets: c.targets, DefaultURL: defaultURL})
			w.OpenSession(w.User, "alice", alicePhone, "")
			w.OpenSession(w.Admin, "main", bobPhone, "")
			ws := command.WebhookSettings{Algorithm: webhook.SHA256}
			for id, url := range map[string]string{"alice": aliceURL, "main": mainURL} {
				if _, err := w.Cmd.Webhook.ConfigureWebhook(w.Ctx, w.Admin, id, command.WebhookInput{URL: url}, ws); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.Cmd.Sending.SendText(w.Ctx, w.Admin, command.SendTextInput{SessionID: "main", To: []string{alicePhone}, Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			want := map[string]netpolicy.Reach{defaultURL: c.operator, aliceURL: c.tenant, mainURL: c.admin}
			appworld.Eventually(t, 3*time.Second, func() bool {
				seen := map[string]bool{}
				for _, r := range w.Sender.Requests("", "") {
					seen[r.URL] = true
				}
				return len(seen) == len(want)
			}, "no request to each receiver")
			for _, r := range w.Sender.Requests("", "") {
				if r.Reach != want[r.URL] {
					t.Errorf("%s %s: reach %d, want %d", r.URL, r.Headers["X-WAREST-Event"], r.Reach, want[r.URL])
				}
			}
		})
	}
}
