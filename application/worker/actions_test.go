package worker_test

// Response actions end to end: bob (a session of sari's) writes to alice (budi's),
// alice's webhook receiver answers the message_received delivery with actions, and
// they run in alice's session through the send queue on the sandbox network.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/throttle"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

const botHook = "https://bot.hooks.test/h"

const bobChat = bobPhone + "@s.whatsapp.net"

type actionRig struct {
	*hookWorld
	trigger event.Envelope               // alice's message_received
	key     appworld.MessageKey          // the triggering message's key in alice's view
	data    appworld.MessageReceivedData //
}

// newActionRig opens alice and bob, points alice's webhook at a receiver that
// answers message_received with answer, lets prepare run (e.g. alice sending
// something first), then has bob write "halo" to alice.
func newActionRig(t *testing.T, opt hookOpts, answer string, prepare ...func(*actionRig)) *actionRig {
	t.Helper()
	r := &actionRig{hookWorld: newHookWorld(t, opt)}
	r.open(r.user, "alice", alicePhone, "Alice")
	r.open(r.other, "bob", bobPhone, "Bob")
	if _, err := r.cmd.Webhook.ConfigureWebhook(r.ctx, r.user, "alice", command.WebhookInput{URL: botHook, Secret: appworld.UserSecret}, command.WebhookSettings{}); err != nil {
		t.Fatal(err)
	}
	r.send.set(func(_ context.Context, req ports.WebhookRequest) (ports.WebhookResponse, error) {
		if req.Headers["X-WAREST-Event"] == string(event.MessageReceived) {
			return ports.WebhookResponse{Status: 200, Body: []byte(answer)}, nil
		}
		return status(200)
	})
	for _, p := range prepare {
		p(r)
	}
	if _, err := r.cmd.Sending.SendText(r.ctx, r.other, command.SendTextInput{SessionID: "bob", To: []string{alicePhone}, Text: "halo"}); err != nil {
		t.Fatal(err)
	}
	appworld.Eventually(t, 5*time.Second, func() bool { return len(r.eventsOf("alice", event.MessageReceived)) == 1 }, "alice never got bob's message")
	r.trigger = r.eventsOf("alice", event.MessageReceived)[0]
	r.data = appworld.Rendered[appworld.MessageReceivedData](t, r.trigger)
	r.key = r.data.Message.Key
	r.delivery(r.trigger.ID, webhook.PrimaryID("alice"), isStatus(webhook.DeliveryDelivered))
	return r
}

// sent returns what alice sent after the trigger, as the network saw it.
func (r *actionRig) sent() []message.Outbound { return r.net.Sent("alice") }

// waitSent waits until alice has sent n messages and returns them.
func (r *actionRig) waitSent(n int) []message.Outbound {
	r.t.Helper()
	var got []message.Outbound
	appworld.Eventually(r.t, 5*time.Second, func() bool { got = r.sent(); return len(got) >= n }, "alice sent %d messages, want %d", len(got), n)
	return got
}

func (r *actionRig) failures() []appworld.WebhookActionFailedData {
	r.t.Helper()
	var out []appworld.WebhookActionFailedData
	for _, e := range r.eventsOf("alice", event.WebhookActionFailed) {
		out = append(out, appworld.Rendered[appworld.WebhookActionFailedData](r.t, e))
	}
	return out
}

func (r *actionRig) waitFailures(n int) []appworld.WebhookActionFailedData {
	r.t.Helper()
	var got []appworld.WebhookActionFailedData
	appworld.Eventually(r.t, 5*time.Second, func() bool { got = r.failures(); return len(got) >= n }, "%d webhook_action_failed events, want %d", len(got), n)
	return got
}

func (r *actionRig) noFailures() {
	r.t.Helper()
	if f := r.failures(); len(f) != 0 {
		r.t.Fatalf("actions failed: %+v", f)
	}
}

// texts returns the texts of what alice sent, in order.
func texts(ms []message.Outbound) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Content.Text)
	}
	return out
}

// bobSaw returns the chat states and presences bob saw of alice, in order.
func (r *actionRig) bobSaw() []string {
	var out []string
	for _, e := range r.eventsOf("bob", event.PresenceUpdate) {
		d := appworld.Rendered[appworld.PresenceUpdateData](r.t, e)
		for _, p := range d.Presence.Presences {
			out = append(out, p.LastKnownPresence)
		}
	}
	return out
}

func TestActions_EveryDataActionIsSentThroughTheQueue(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{}, `{"delayMs":0,"actions":[
		{"type":"text","to":"{{sender.chatId}}","text":"echo: {{text}} from {{sender.pushName}}","mentions":["`+bobPhone+`"]},
		{"type":"location","lat":-6.175,"lng":106.827,"name":"Monas","address":"Jakarta"},
		{"type":"vcard","contact":{"fullName":"Citra","phone":"+62 833 3333 3333","org":"ACME"}},
		{"type":"poll","message":{"poll":{"name":"Lunch?","values":["yes","no"],"selectableCount":1}}},
		{"type":"button","text":"Pick one","footer":"f","buttons":[{"id":"y","text":"Yes"},{"type":"url","text":"Site","url":"https://example.com/x"},{"Btype":"cta_copy","text":"Code","copyCode":"PROMO1"}]},
		{"type":"list","text":"Menu","buttonText":"Open","title":"T","sections":[{"title":"S","rows":[{"id":"r1","title":"Row 1"}]}]},
		{"action":"forward","message":{"text":"fwd {{data.text}}"}},
		{"act":"raw","message":{"location":{"degreesLatitude":1.5,"degreesLongitude":2.5}}},
		{"type":"noop"}
	]}`)
	sent := r.waitSent(8)
	r.noFailures()
	want := []message.Kind{message.KindText, message.KindLocation, message.KindContact, message.KindPoll,
		message.KindButtons, message.KindList, message.KindText, message.KindLocation}
	for i, m := range sent {
		if m.Content.Kind != want[i] || m.To.String() != bobChat {
			t.Fatalf("message %d: %s to %s, want %s to bob", i, m.Content.Kind, m.To, want[i])
		}
	}
	if len(sent) != 8 {
		t.Fatalf("%d messages, want 8 (noop sends nothing)", len(sent))
	}
	echo := sent[0].Content
	if echo.Text != "echo: halo from Bob" || len(echo.Mentions) != 1 || echo.Mentions[0].String() != bobChat {
		t.Fatalf("templated text %+v", echo)
	}
	if l := sent[1].Content.Location; l.Latitude != -6.175 || l.Name != "Monas" {
		t.Fatalf("location %+v", l)
	}
	if c := sent[2].Content.Contacts; len(c) != 1 || c[0].DisplayName != "Citra" || !strings.Contains(c[0].VCard, "waid=6283333333333") {
		t.Fatalf("vcard %+v", c)
	}
	if p := sent[3].Content.Poll; p.Question != "Lunch?" || !slices.Equal(p.Options, []string{"yes", "no"}) || p.SelectableCount != 1 {
		t.Fatalf("poll %+v", p)
	}
	if b := sent[4].Content.Buttons; len(b.Buttons) != 3 || b.Buttons[0].ID != "y" || sent[4].Content.Text != "Pick one" ||
		b.Buttons[1].Kind != message.ButtonURL || b.Buttons[1].URL != "https://example.com/x" ||
		b.Buttons[2].Kind != message.ButtonCopy || b.Buttons[2].CopyCode != "PROMO1" {
		t.Fatalf("buttons %+v", sent[4].Content)
	}
	if l := sent[5].Content.List; l.ButtonText != "Open" || len(l.Sections) != 1 || l.Sections[0].Rows[0].ID != "r1" {
		t.Fatalf("list %+v", l)
	}
	if f := sent[6].Content; f.Text != "fwd halo" || !f.Forwarded {
		t.Fatalf("forward %+v", f)
	}
	if l := sent[7].Content.Location; l.Latitude != 1.5 || l.Longitude != 2.5 {
		t.Fatalf("raw location %+v", l)
	}
	// They went through the durable queue: stored outbound messages with status events.
	appworld.Eventually(t, 5*time.Second, func() bool {
		for _, m := range sent {
			st, err := r.store.Messages().Get(r.ctx, "alice", m.ID)
			if err != nil || st.Status == message.StatusQueued {
				return false
			}
		}
		return true
	}, "the actions' messages are not in the store as sent")
	statuses := map[string][]string{}
	for _, e := range r.eventsOf("alice", event.MessageStatus) {
		d := appworld.Rendered[appworld.MessageStatusData](t, e)
		statuses[d.MessageID] = append(statuses[d.MessageID], d.Status)
	}
	for _, m := range sent {
		if s := statuses[m.ID]; len(s) < 2 || s[0] != "queued" || s[1] != "sent" {
			t.Fatalf("status events of %s: %v", m.ID, s)
		}
	}
	// Bob got them as messages.
	appworld.Eventually(t, 5*time.Second, func() bool { return len(r.eventsOf("bob", event.MessageReceived)) >= 8 }, "bob did not get the 8 messages")
}

func TestActions_React(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]string{
		"key from the template": `{"actions":[{"type":"react","key":"{{data.message.key}}","emoji":"👍"}]}`,
		"key defaulted":         `{"actions":[{"type":"react","emoji":"👍"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newActionRig(t, hookOpts{}, answer)
			sent := r.waitSent(1)
			r.noFailures()
			c := sent[0].Content
			if c.Kind != message.KindReaction || c.Emoji != "👍" || c.Target == nil || c.Target.ID != r.key.ID {
				t.Fatalf("reaction %+v, want 👍 on %s", c, r.key.ID)
			}
			appworld.Eventually(t, 5*time.Second, func() bool {
				for _, e := range r.eventsOf("bob", event.MessageReaction) {
					d := appworld.Rendered[appworld.MessageReactionData](t, e)
					if d.Reaction.Text == "👍" && d.Reaction.Key.ID == r.key.ID {
						return true
					}
				}
				return false
			}, "bob never saw the reaction")
		})
	}
}

// aliceSaid has alice send text to bob before the trigger and returns its id.
func aliceSaid(text string, id *string) func(*actionRig) {
	return func(r *actionRig) {
		res, err := r.cmd.Sending.SendText(r.ctx, r.user, command.SendTextInput{SessionID: "alice", To: []string{bobPhone}, Text: text})
		if err != nil {
			r.t.Fatal(err)
		}
		*id = res[0].Message.ID
		appworld.Eventually(r.t, 5*time.Second, func() bool { return len(r.eventsOf("bob", event.MessageReceived)) == 1 }, "bob did not get %q", text)
	}
}

func TestActions_EditAndRevokeAMessageTheSessionSent(t *testing.T) {
	t.Parallel()
	t.Run("edit", func(t *testing.T) {
		t.Parallel()
		var id string
		r := newActionRig(t, hookOpts{}, "", aliceSaid("original", &id))
		key := `{"remoteJid":"{{sender.chatId}}","id":"` + id + `","fromMe":true}`
		r.send.set(answerWith(`{"actions":[{"type":"edit","key":` + key + `,"text":"edited {{text}}"}]}`))
		r.retrigger()
		appworld.Eventually(t, 5*time.Second, func() bool {
			for _, e := range r.eventsOf("bob", event.MessageEdited) {
				d := appworld.Rendered[appworld.MessageEditedData](t, e)
				if d.Key.ID == id && d.Text == "edited halo" {
					return true
				}
			}
			return false
		}, "bob never saw the edit")
		r.noFailures()
	})
	t.Run("revoke", func(t *testing.T) {
		t.Parallel()
		var id string
		r := newActionRig(t, hookOpts{}, "", aliceSaid("oops", &id))
		r.send.set(answerWith(`{"actions":[{"type":"revoke","key":{"remoteJid":"` + bobChat + `","id":"` + id + `","fromMe":true}}]}`))
		r.retrigger()
		appworld.Eventually(t, 5*time.Second, func() bool {
			for _, e := range r.eventsOf("bob", event.MessageRevoked) {
				if appworld.Rendered[appworld.MessageRevokedData](t, e).Key.ID == id {
					return true
				}
			}
			return false
		}, "bob never saw the revoke")
		r.noFailures()
	})
}

func answerWith(answer string) func(context.Context, ports.WebhookRequest) (ports.WebhookResponse, error) {
	return func(_ context.Context, req ports.WebhookRequest) (ports.WebhookResponse, error) {
		if req.Headers["X-WAREST-Event"] == string(event.MessageReceived) {
			return ports.WebhookResponse{Status: 200, Body: []byte(answer)}, nil
		}
		return status(200)
	}
}

// retrigger redelivers the trigger, so the receiver's (new) answer runs.
func (r *actionRig) retrigger() {
	r.t.Helper()
	d := r.deliveries(r.trigger.ID)[0]
	if _, err := r.cmd.Subscriptions.Redeliver(r.ctx, r.user, d.ID); err != nil {
		r.t.Fatal(err)
	}
	r.delivery(r.trigger.ID, d.SubscriptionID, func(x webhook.Delivery) bool {
		return x.Attempts == d.Attempts+1 && x.Status == webhook.DeliveryDelivered
	})
}

func TestActions_StarUnstarDeleteChangeTheAccountState(t *testing.T) {
	t.Parallel()
	t.Run("star", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"star","key":"{{data.message.key}}"},{"type":"text","text":"done"}]}`)
		r.waitSent(1)
		r.noFailures()
		st, err := r.net.AccountState("alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Starred) != 1 || st.Starred[0].ID != r.key.ID {
			t.Fatalf("starred %+v, want %s", st.Starred, r.key.ID)
		}
	})
	t.Run("star then unstar", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"star"},{"type":"unstar","key":"{{data.message.key}}"},{"type":"text","text":"done"}]}`)
		r.waitSent(1)
		r.noFailures()
		if st, _ := r.net.AccountState("alice"); len(st.Starred) != 0 {
			t.Fatalf("still starred: %+v", st.Starred)
		}
	})
	t.Run("delete for me", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"delete","key":"{{data.message.key}}","withMedia":true},{"type":"text","text":"done"}]}`)
		r.waitSent(1)
		r.noFailures()
		if st, _ := r.net.AccountState("alice"); len(st.DeletedForMe) != 1 || st.DeletedForMe[0].ID != r.key.ID {
			t.Fatalf("deleted for me %+v, want %s", st.DeletedForMe, r.key.ID)
		}
	})
}

func TestActions_ReadSendsAReadReceipt(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"read","key":"{{data.message.key}}"}]}`)
	appworld.Eventually(t, 5*time.Second, func() bool {
		for _, e := range r.eventsOf("bob", event.MessageAck) {
			d := appworld.Rendered[appworld.MessageAckData](t, e)
			if d.Status == "read" && slices.Contains(d.MessageIDs, r.key.ID) {
				return true
			}
		}
		return false
	}, "bob never got a read receipt for %s", r.key.ID)
	r.noFailures()
}

func TestActions_TypingPresenceAndDelay(t *testing.T) {
	t.Parallel()
	t.Run("typing", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"typing","to":"{{sender.chatId}}","ms":20},{"type":"text","text":"typed"}]}`)
		r.waitSent(1)
		appworld.Eventually(t, 5*time.Second, func() bool { return slices.Equal(r.bobSaw(), []string{"composing", "paused"}) },
			"bob saw %v, want composing then paused", r.bobSaw())
		r.noFailures()
	})
	t.Run("delay with a state", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"text","text":"before"},{"act":"delay","ms":30,"state":"recording"},{"type":"delay","sec":0.01},{"type":"text","text":"after"}]}`)
		sent := r.waitSent(2)
		if got := texts(sent); !slices.Equal(got, []string{"before", "after"}) {
			t.Fatalf("sent %v", got)
		}
		appworld.Eventually(t, 5*time.Second, func() bool { return slices.Equal(r.bobSaw(), []string{"recording", "paused"}) },
			"bob saw %v, want recording then paused", r.bobSaw())
		r.noFailures()
	})
	t.Run("presence", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"presence","state":"unavailable"},{"type":"presence","state":"paused","to":"{{sender.chatId}}"}]}`)
		appworld.Eventually(t, 5*time.Second, func() bool { return slices.Equal(r.bobSaw(), []string{"unavailable", "paused"}) },
			"bob saw %v, want unavailable then paused", r.bobSaw())
		r.noFailures()
	})
}

func TestActions_QueueParallelWhen(t *testing.T) {
	t.Parallel()
	t.Run("queue keeps its order", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"queue","delayMs":5,"items":[
			{"type":"text","text":"q1"},{"type":"text","text":"q2"},{"type":"text","text":"q3"}]}]}`)
		if got := texts(r.waitSent(3)); !slices.Equal(got, []string{"q1", "q2", "q3"}) {
			t.Fatalf("sent %v", got)
		}
		r.noFailures()
	})
	t.Run("parallel runs every item", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"parallel","items":[
			{"type":"text","text":"p1"},{"type":"text","text":"p2"},{"type":"react","emoji":"🔥"}]}]}`)
		got := texts(r.waitSent(3))
		slices.Sort(got)
		if !slices.Equal(got, []string{"", "p1", "p2"}) {
			t.Fatalf("sent %q", got)
		}
		r.noFailures()
	})
	t.Run("when takes each branch", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[
			{"type":"when","cond":"{{text}}","then":[{"type":"text","text":"yes {{text}}"}],"else":[{"type":"text","text":"no"}]},
			{"type":"when","condition":"{{data.missing}}","do":{"type":"text","text":"yes2"},"otherwise":{"type":"text","text":"no2"}},
			{"type":"when","cond":"no","items":[{"type":"text","text":"never"}]},
			{"type":"text","text":"end"}]}`)
		if got := texts(r.waitSent(3)); !slices.Equal(got, []string{"yes halo", "no2", "end"}) {
			t.Fatalf("sent %v", got)
		}
		r.noFailures()
	})
}

func TestActions_Retry(t *testing.T) {
	t.Parallel()
	t.Run("fails every attempt then runs onFail", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"retry","attempts":2,"backoffMs":1,
			"item":{"type":"text","to":"not a number","text":"x"},
			"onFail":[{"type":"text","text":"fallback"}]}]}`)
		if got := texts(r.waitSent(1)); !slices.Equal(got, []string{"fallback"}) {
			t.Fatalf("sent %v", got)
		}
		f := r.waitFailures(1)
		if len(f) != 1 || f[0].Path != "0" || f[0].Action != "retry" || f[0].DeliveryID == "" || f[0].EventID != r.trigger.ID {
			t.Fatalf("failures %+v", f)
		}
	})
	t.Run("succeeds without onFail", func(t *testing.T) {
		t.Parallel()
		r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"retry","items":[{"type":"text","text":"ok"}],
			"onFail":[{"type":"text","text":"fallback"}]},{"type":"text","text":"end"}]}`)
		if got := texts(r.waitSent(2)); !slices.Equal(got, []string{"ok", "end"}) {
			t.Fatalf("sent %v", got)
		}
		r.noFailures()
	})
}

// fakeFetcher serves files by URL, like a CDN would.
type fakeFetcher map[string]ports.FetchedMedia

func (f fakeFetcher) Fetch(_ context.Context, url string, _ int64) (ports.FetchedMedia, error) {
	m, ok := f[url]
	if !ok {
		return ports.FetchedMedia{}, errors.New("404 from " + url)
	}
	return m, nil
}

var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	webpBytes = append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
)

// Media actions fetch their URL (through the gateway's fetcher) and send like the
// media routes; a URL that cannot be fetched is reported and the rest still runs.
func TestActions_MediaDocumentSticker(t *testing.T) {
	t.Parallel()
	blobs, err := appworld.NewBlobs(appworld.BlobConfig{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fetch := fakeFetcher{
		"https://cdn.test/a.png":  {Data: pngBytes, MIME: "image/png", FileName: "a.png"},
		"https://cdn.test/a.pdf":  {Data: pdfBytes, MIME: "application/pdf", FileName: "a.pdf"},
		"https://cdn.test/a.webp": {Data: webpBytes, MIME: "image/webp", FileName: "a.webp"},
	}
	r := newActionRig(t, hookOpts{fetcher: fetch, blobs: blobs}, `{"actions":[
		{"type":"media","mediaType":"image","url":"https://cdn.test/a.png","caption":"for {{sender.pushName}}"},
		{"type":"document","url":"https://cdn.test/a.pdf","filename":"report.pdf"},
		{"type":"sticker","webpUrl":"https://cdn.test/a.webp"},
		{"type":"media","mediaType":"image","url":"https://cdn.test/missing.png"},
		{"type":"text","text":"still here"}]}`)
	sent := r.waitSent(4)
	want := []message.Kind{message.KindImage, message.KindDocument, message.KindSticker, message.KindText}
	for i, m := range sent {
		if m.Content.Kind != want[i] {
			t.Fatalf("message %d is %s, want %s (%+v)", i, m.Content.Kind, want[i], m.Content)
		}
	}
	if c := sent[0].Content; c.Text != "for Bob" || c.Media == nil {
		t.Fatalf("image caption not templated: %+v", c)
	}
	if m := sent[1].Content.Media; m == nil || m.FileName != "report.pdf" {
		t.Fatalf("document %+v", m)
	}
	f := r.waitFailures(1)
	if len(f) != 1 || f[0].Path != "3" || f[0].Action != "media" || !strings.Contains(f[0].Error, "404") {
		t.Fatalf("failures %+v", f)
	}
}

func TestActions_AFailingActionDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"text","to":"nobody@nowhere","text":"x"},
		{"type":"location","lat":"north"},{"type":"edit","text":"no key"},{"type":"text","text":"still"}]}`)
	if got := texts(r.waitSent(1)); !slices.Equal(got, []string{"still"}) {
		t.Fatalf("sent %v", got)
	}
	f := r.waitFailures(3)
	for i, kind := range []string{"text", "location", "edit"} {
		if f[i].Action != kind || f[i].Path != fmt.Sprint(i) {
			t.Fatalf("failure %d: %+v", i, f[i])
		}
	}
}

func TestActions_MalformedAnswersAreReportedAndSendNothing(t *testing.T) {
	t.Parallel()
	many := make([]string, 51)
	for i := range many {
		many[i] = `{"type":"text","text":"spam"}`
	}
	deep := `{"type":"text","text":"deep"}`
	for range 6 {
		deep = `{"type":"queue","items":[` + deep + `]}`
	}
	for name, tc := range map[string]struct{ answer, err string }{
		"unknown type":   {`{"actions":[{"type":"text","text":"a"},{"type":"explode"}]}`, `unknown type "explode"`},
		"too many":       {`{"actions":[` + strings.Join(many, ",") + `]}`, "more than 50 actions"},
		"too deep":       {`{"actions":[` + deep + `]}`, "deeper than 5"},
		"not an array":   {`{"actions":{"type":"text","text":"a"}}`, "must be an array"},
		"not an object":  {`{"actions":["text"]}`, "not an object"},
		"retry, no item": {`{"actions":[{"type":"retry","onFail":[{"type":"text","text":"a"}]}]}`, "retry needs an item"},
		"missing kind":   {`{"actions":[{"text":"a"}]}`, "unknown type"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newActionRig(t, hookOpts{}, tc.answer)
			f := r.waitFailures(1)
			if len(f) != 1 || f[0].Path != "" || !strings.Contains(f[0].Error, tc.err) || f[0].DeliveryID == "" {
				t.Fatalf("failures %+v, want one about %q", f, tc.err)
			}
			if s := r.sent(); len(s) != 0 {
				t.Fatalf("a malformed answer sent %v", texts(s))
			}
			if d := r.deliveries(r.trigger.ID)[0]; d.Status != webhook.DeliveryDelivered {
				t.Fatalf("the delivery itself is %s", d.Status)
			}
		})
	}
}

// Answers without actions (not JSON, an ack, empty actions) do nothing and report nothing.
func TestActions_AnswersWithoutActionsAreIgnored(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{}, `ok`)
	for _, answer := range []string{`{"ok":true}`, `{"actions":[]}`, `{"actions":null}`} {
		r.send.set(answerWith(answer))
		r.retrigger()
	}
	// A last answer that does something marks the end of the runs before it.
	r.send.set(answerWith(`{"actions":[{"type":"text","text":"last"}]}`))
	r.retrigger()
	if got := texts(r.waitSent(1)); !slices.Equal(got, []string{"last"}) {
		t.Fatalf("sent %v", got)
	}
	r.noFailures()
}

// The same answer processed twice for one delivery (a redelivery, or a crash
// between sending and recording) sends each message once: idempotency keys are
// derived from the delivery and the action's path.
func TestActions_AnswerProcessedTwiceSendsEachMessageOnce(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{}, `{"actions":[{"type":"text","text":"once {{text}}"},
		{"type":"queue","items":[{"type":"text","text":"nested once"}]},{"type":"typing","ms":1}]}`)
	r.waitSent(2)
	appworld.Eventually(t, 5*time.Second, func() bool { return len(r.bobSaw()) == 2 }, "first run did not finish")
	r.retrigger()
	appworld.Eventually(t, 5*time.Second, func() bool { return len(r.bobSaw()) == 4 }, "second run did not finish")
	// And once more, directly, with the same delivery.
	d := r.deliveries(r.trigger.ID)[0]
	delivered := triggerBody(t, r)
	answer := []byte(`{"actions":[{"type":"text","text":"once {{text}}"},{"type":"queue","items":[{"type":"text","text":"nested once"}]}]}`)
	if !r.actions.Run(r.ctx, d, delivered, answer) {
		t.Fatal("Run found nothing to run")
	}
	if got := texts(r.sent()); !slices.Equal(got, []string{"once halo", "nested once"}) {
		t.Fatalf("sent %v, want each message once", got)
	}
	r.noFailures()
}

// triggerBody is the body alice's receiver got for the trigger.
func triggerBody(t *testing.T, r *actionRig) []byte {
	t.Helper()
	reqs := r.send.forEvent(r.trigger.ID)
	if len(reqs) == 0 {
		t.Fatal("no request for the trigger")
	}
	return reqs[0].Body
}

// Actions go through command.Send, so its limits hold: a second message to the
// same chat waits out the recipient cooldown, and is sent one cooldown later.
func TestActions_RecipientCooldownPacesASecondMessage(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{cooldown: time.Second}, `{"actions":[{"type":"text","text":"first"},
		{"type":"react","emoji":"👌"},{"type":"text","text":"second"}]}`)
	sent := r.waitSent(3)
	if len(sent) != 3 || sent[0].Content.Text != "first" || sent[1].Content.Kind != message.KindReaction || sent[2].Content.Text != "second" {
		t.Fatalf("sent %+v", sent)
	}
	if gap := r.sentAt(sent[2].ID).Sub(r.sentAt(sent[0].ID)); gap < time.Second {
		t.Fatalf("the second text went out %v after the first, within the 1 s cooldown", gap)
	}
	r.noFailures()
}

// A cooldown the answer's time limit has no room for fails the action at once.
func TestActions_ACooldownLongerThanTheTimeLimitFailsTheAction(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{cooldown: time.Minute, actionLimit: 20 * time.Second}, `{"actions":[{"type":"text","text":"first"},
		{"type":"react","emoji":"👌"},{"type":"text","text":"second"}]}`)
	start := time.Now()
	f := r.waitFailures(1)
	if f[0].Path != "2" || !strings.Contains(strings.ToLower(f[0].Error), "cooldown") {
		t.Fatalf("failure %+v, want the second text refused by the cooldown", f[0])
	}
	if waited := time.Since(start); waited > 15*time.Second { // well within the limit: slow runs (-race) have room
		t.Fatalf("the failure came after %v: the action waited for a cooldown it had no room for", waited)
	}
	sent := r.waitSent(2)
	if len(sent) != 2 || sent[0].Content.Text != "first" || sent[1].Content.Kind != message.KindReaction {
		t.Fatalf("sent %+v", sent)
	}
}

// Two receivers answer the same inbound "test" (as WAREST's example receivers do):
// the second reply waits out the recipient cooldown instead of being dropped.
func TestActions_TwoReceiversAnsweringTheSameMessageBothReply(t *testing.T) {
	t.Parallel()
	const hookA, hookB = "https://a.hooks.test/h", "https://b.hooks.test/h"
	w := newHookWorld(t, hookOpts{cooldown: time.Second})
	r := &actionRig{hookWorld: w}
	w.open(w.user, "alice", alicePhone, "Alice")
	w.open(w.other, "bob", bobPhone, "Bob")
	for _, url := range []string{hookA, hookB} {
		w.subscribe(command.SubscriptionInput{URL: url, Secret: appworld.UserSecret, Events: []string{string(event.MessageReceived)}})
	}
	w.send.set(func(ctx context.Context, req ports.WebhookRequest) (ports.WebhookResponse, error) {
		if req.Headers["X-WAREST-Event"] != string(event.MessageReceived) || bodyText(req) != "test" {
			return status(200)
		}
		if req.URL == hookB {
			// B answers once A's reply is out, so B's reply meets the cooldown.
			deadline := time.Now().Add(5 * time.Second)
			for len(w.net.Sent("alice")) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
		name := map[string]string{hookA: "A", hookB: "B"}[req.URL]
		return ports.WebhookResponse{Status: 200, Body: []byte(`{"actions":[{"type":"text","text":"reply ` + name + `"}]}`)}, nil
	})
	if _, err := w.cmd.Sending.SendText(w.ctx, w.other, command.SendTextInput{SessionID: "bob", To: []string{alicePhone}, Text: "test"}); err != nil {
		t.Fatal(err)
	}
	sent := r.waitSent(2)
	if got := texts(sent); len(got) != 2 || got[0] != "reply A" || got[1] != "reply B" || sent[0].To.User != bobPhone || sent[1].To.User != bobPhone {
		t.Fatalf("alice sent %q", got)
	}
	if gap := r.sentAt(sent[1].ID).Sub(r.sentAt(sent[0].ID)); gap < time.Second {
		t.Fatalf("reply B went out %v after reply A, within the 1 s cooldown", gap)
	}
	r.noFailures()
}

// sentAt is when alice's message id was recorded as sent.
func (r *actionRig) sentAt(id string) time.Time {
	r.t.Helper()
	var at time.Time
	appworld.Eventually(r.t, 5*time.Second, func() bool {
		for _, e := range r.eventsOf("alice", event.MessageStatus) {
			d := appworld.Rendered[appworld.MessageStatusData](r.t, e)
			if d.MessageID == id && d.Status == string(message.StatusSent) {
				at = e.OccurredAt
				return true
			}
		}
		return false
	}, "message %s never recorded as sent", id)
	return at
}

// Sending actions count against the per-key rate limit and quota, under a key name
// of their own ("webhook-actions:<session>"), as the HTTP sending routes do.
func TestActions_PerKeyRateLimitThrottlesAnAction(t *testing.T) {
	t.Parallel()
	r := newActionRig(t, hookOpts{limits: func(l *command.Limits) {
		l.Rate = throttle.Window{Limit: 2, Size: time.Hour}
	}}, `{"actions":[{"type":"text","text":"one"},{"type":"react","emoji":"1"},{"type":"text","text":"three"},{"type":"typing","ms":1}]}`)
	f := r.waitFailures(1)
	if f[0].Path != "2" || !strings.Contains(strings.ToLower(f[0].Error), "too many requests") {
		t.Fatalf("failure %+v, want the third send refused by the rate limit", f[0])
	}
	appworld.Eventually(t, 5*time.Second, func() bool { return len(r.bobSaw()) == 2 }, "the control action after the refused one did not run")
	if sent := r.sent(); len(sent) != 2 || sent[0].Content.Text != "one" || sent[1].Content.Kind != message.KindReaction {
		t.Fatalf("sent %+v", sent)
	}
	// The owner's own API key is not charged for them.
	st, err := r.cmd.Quotas.Throttle(r.ctx, r.user, true)
	if err != nil || st.Rate == nil || st.Rate.Remaining != 1 {
		t.Fatalf("owner's own budget after the actions: %+v %v", st.Rate, err)
	}
}
