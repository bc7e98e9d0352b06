// Package browser drives the dashboard of the real gateway in Chromium: log in,
// create and link a session on the sandbox by QR code, send a message, watch a
// webhook delivery fail into a dead letter and redeliver it, manage users, and see
// that a non-admin sees only their own sessions and links one by pair code. It saves screenshots at desktop and phone width.
package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/warest-go/warest/test/gatewayproc"
)

const (
	adminKey = "browser-admin-key-0123456789"
	desktop  = 1280
	phone    = 390
)

// chromium is the browser's path; without one the test skips, or fails when
// WAREST_REQUIRE_BROWSER=1 (CI).
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err == nil {
		return path
	}
	if os.Getenv("WAREST_REQUIRE_BROWSER") == "1" {
		t.Fatalf("WAREST_REQUIRE_BROWSER=1 but no chromium on PATH: %v", err)
	}
	t.Skip("SKIPPED: no chromium on PATH (apt-get install chromium); set WAREST_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

func TestDashboardInARealBrowser(t *testing.T) {
	exe := chromium(t)
	// The session's webhook goes to a receiver that answers 200; a subscription to
	// inbound messages goes to one that fails until told otherwise.
	good, failing := &receiver{}, &receiver{}
	good.answer.Store(http.StatusOK)
	failing.answer.Store(http.StatusInternalServerError)
	goodURL, failingURL := serve(t, good, "good"), serve(t, failing, "failing")
	gw := startGateway(t)
	shots := artifactsDir(t)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first run starts the browser and must not have a deadline: it would stop it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktop, 900)); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, dir: shots}
	b.watchErrors()

	// A browser without a login lands on the login page and comes back signed in.
	b.run(chromedp.Navigate(gw.URL + "/"))
	b.until(`location.pathname === "/login" && location.search === "?next=%2F"`, "the login page")
	b.shot("login", desktop)
	b.shot("login", phone)
	// A wrong password says so on the page.
	b.login("admin", "not-the-password")
	b.until(`document.querySelector("#error").textContent !== ""`, "the login refused")
	b.shot("login-refused", phone)
	b.run(chromedp.Evaluate[chromedp.Void](`document.querySelector("#login").reset()`))
	b.login(gatewayproc.AdminUsername, gatewayproc.AdminPassword)
	b.until(`document.querySelector("#who .name").textContent === "admin" && document.querySelector("#who .badge").textContent === "admin"`, "the admin signed in")
	b.until(`document.querySelector(".empty") !== null`, "the empty session list")
	b.shot("sessions-empty", desktop)

	// Create a session: its QR shows, and a new one replaces it while it waits.
	b.run(chromedp.SendKeys(`input[name=sessionId]`, "shop"))
	b.run(chromedp.Click(`form.inline button[type=submit]`))
	b.until(`(document.querySelector("img.qr:not([hidden])") || {}).src?.startsWith("data:image/png;base64,")`, "the QR")
	b.until(`document.querySelector(".head .badge").textContent === "connecting"`, "the session connecting")
	first := b.eval(`document.querySelector("img.qr").src`)
	b.shot("session-qr", desktop)
	b.shot("session-qr", phone)
	b.until(fmt.Sprintf(`document.querySelector("img.qr").src !== %q`, first), "the QR to refresh by itself")

	// The virtual phone scans it through the sandbox API; the page shows it linked.
	gw.call(t, "POST", "/api/v1/sandbox/sessions/shop/scan", map[string]any{"phone": "6281100000001", "pushName": "Shop"})
	b.until(`document.querySelector(".head .badge").textContent === "open"`, "the session open")
	b.until(`document.querySelector("#view").textContent.includes("Linked")`, "the linked card")

	// Its webhook (checked by a signed test request first) and a subscription to
	// inbound messages.
	b.run(chromedp.SendKeys(`input[name=webhookUrl]`, goodURL))
	b.click("Save webhook")
	b.until(`document.querySelector("#toast").textContent === "Webhook saved"`, "the webhook saved")
	b.run(chromedp.SendKeys(`input[name=url]`, failingURL))
	b.run(chromedp.SendKeys(`input[name=events]`, "message_received"))
	b.click("Add subscription")
	b.until(`document.querySelector(".card .list .item .mono").textContent.includes("/failing")`, "the subscription listed")
	b.until(`document.querySelector("#toast").hidden`, "the toast to go by itself")

	b.run(chromedp.SendKeys(`input[name=to]`, "6281300000003"))
	b.click("Send test message")
	b.until(`/Message (queued|sent|delivered|read)/i.test(document.querySelector("form .small")?.textContent || "")`, "the message accepted")
	b.shot("session-open", desktop)
	b.shot("session-open", phone)
	// Someone writes to the session: the failing receiver gets it, twice, then it is dead.
	gw.call(t, "POST", "/api/v1/sandbox/sessions/shop/inbound", map[string]any{"from": "6281300000003", "pushName": "Budi", "text": "is the shop open?"})

	// The delivery shows, fails into a dead letter, and is redelivered from the page.
	b.run(chromedp.Click(`#nav a[href="#/webhooks"]`))
	b.until(`document.querySelector('[data-view="all"] .delivery .badge.s-delivered') !== null`, "a delivered delivery")
	if good.count(http.StatusOK) == 0 {
		t.Fatal("the page shows a delivery delivered, but the receiver answered none")
	}
	b.shot("deliveries", desktop)
	b.click("Dead letters")
	b.until(`document.querySelector('[data-view="dead"] .delivery .badge.s-dead') !== null`, "a dead letter")
	dead := b.eval(`document.querySelector('[data-view="dead"] .delivery').dataset.delivery`)
	b.shot("dead-letters", desktop)
	b.shot("dead-letters", phone)
	if failing.count(http.StatusInternalServerError) != 2 {
		t.Fatalf("a dead letter after %d failed attempts, want 2", failing.count(http.StatusInternalServerError))
	}
	failing.answer.Store(http.StatusOK)
	b.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('[data-delivery=%q] button').click()`, dead)))
	b.until(`document.querySelector("#toast").textContent === "Redelivery scheduled"`, "the redelivery scheduled")
	b.click("All deliveries")
	b.until(fmt.Sprintf(`document.querySelector('[data-view="all"] [data-delivery=%q] .badge').textContent === "delivered"`, dead), "the dead letter delivered")
	if failing.count(http.StatusOK) != 1 {
		t.Fatalf("the page shows the dead letter delivered, but the receiver answered %d requests with 200", failing.count(http.StatusOK))
	}

	// The live events of the session.
	b.run(chromedp.Click(`#nav a[href="#/events"]`))
	b.until(`document.querySelector('li[data-event="message_status"]') && document.querySelector('li[data-event="session_status"]')`, "the live events")
	b.shot("events", desktop)
	b.shot("events", phone)

	// Users: create one and issue them a key, shown once.
	b.run(chromedp.Click(`#nav a[href="#/users"]`))
	b.run(chromedp.SendKeys(`input[name=username]`, "alice"))
	b.run(chromedp.SendKeys(`input[name=password]`, "alice-password-1"))
	b.click("Create user")
	b.until(`[...document.querySelectorAll("details.user summary strong")].some((s) => s.textContent === "alice")`, "alice listed")
	// A toast speaks of its page: leaving the page takes it away at once.
	b.until(`document.querySelector("#toast").textContent === "User created" && !document.querySelector("#toast").hidden`, "the toast")
	if hidden := b.navigate("#/sessions", `document.querySelector("#toast").hidden`); hidden != "true" {
		t.Fatal("the toast stayed after leaving its page")
	}
	// The sessions page in place first: clicked while it still loads, the users page
	// would be the old one until the new one replaced it (and closed what the test opened).
	b.until(`document.querySelector('[data-session="shop"]')`, "the sessions page")
	b.run(chromedp.Click(`#nav a[href="#/users"]`))
	b.until(`[...document.querySelectorAll("details.user summary strong")].some((s) => s.textContent === "alice")`, "alice listed again")
	b.run(chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("details.user")].find((d) => d.querySelector("strong").textContent === "alice").open = true`))
	b.until(`document.querySelector("details.user[open] .empty")?.textContent === "No keys."`, "alice's keys")
	b.run(chromedp.SendKeys(`details.user[open] input[name=name]`, "ci"))
	b.run(chromedp.Evaluate[chromedp.Void](`document.querySelector("details.user[open] button[type=submit]").click()`))
	b.until(`document.querySelector("details.user[open] code.select")?.textContent.startsWith("wst_")`, "the new key")
	b.until(`document.querySelector("#toast").hidden`, "the toast to go by itself")
	b.shot("users", desktop)
	b.shot("users", phone)

	b.run(chromedp.Click(`#nav a[href="#/sessions"]`))
	b.until(`document.querySelector('[data-session="shop"] .badge')?.textContent === "open"`, "shop open in the list")
	b.shot("sessions", desktop)
	b.shot("sessions", phone)

	// Log out; alice, not an admin, sees none of the admin's sessions or users.
	b.run(chromedp.Click(`#logout`))
	b.until(`location.pathname === "/login"`, "the login page after logging out")
	b.login("alice", "alice-password-1")
	b.until(`document.querySelector("#who").textContent === "alice"`, "alice signed in, no admin")
	b.until(`document.querySelector(".empty") !== null`, "alice's empty session list")
	if nav := b.eval(`document.querySelector("#nav").textContent`); strings.Contains(nav, "Users") || !strings.Contains(nav, "API keys") {
		t.Fatalf("alice's navigation: %q", nav)
	}
	b.shot("user-sessions", phone)

	// She links a session with a pair code, which the virtual phone confirms.
	b.run(chromedp.SendKeys(`input[name=sessionId]`, "desk"))
	b.click("Create and link")
	b.run(chromedp.SendKeys(`input[name=phone]`, "6281100000002"))
	b.click("Get pair code")
	b.until(`/^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(document.querySelector(".paircode").textContent)`, "the pair code")
	b.shot("pair-code", phone)
	gw.call(t, "POST", "/api/v1/sandbox/sessions/desk/pair-code/confirm", map[string]any{"code": b.eval(`document.querySelector(".paircode").textContent`)})
	b.until(`document.querySelector(".head .badge").textContent === "open"`, "desk open")
	b.noErrors()
	t.Logf("screenshots in %s", shots)
}

// browser is one tab; every step fails the test on error.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu     sync.Mutex
	errors []string // uncaught exceptions and console errors of the page
}

func (b *browser) run(a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, a); err != nil {
		b.t.Fatalf("%v (page errors: %v)", err, b.pageErrors())
	}
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// navigate goes to the hash route and returns what expr says right after the page
// handled the change, before the new view loads.
func (b *browser) navigate(hash, expr string) string {
	b.t.Helper()
	js := fmt.Sprintf(`new Promise((resolve) => {
		addEventListener("hashchange", () => setTimeout(() => resolve(String(%s))), { once: true });
		location.hash = %q;
	})`, expr, hash)
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("go to %s: %v", hash, err)
	}
	return v
}

// until waits for the JavaScript condition to hold; one that throws (its element
// is not there yet) does not hold.
func (b *browser) until(cond, what string) {
	b.t.Helper()
	cond = fmt.Sprintf(`(() => { try { return %s; } catch { return false; } })()`, cond)
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	var err error
	for {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(100*time.Millisecond)))
		// A page that navigates ends the poll: poll the new page.
		if err == nil || ctx.Err() != nil || !navigated(err) {
			break
		}
	}
	if err != nil {
		text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		b.t.Fatalf("waiting for %s: %v\npage errors: %v\npage text:\n%s", what, err, b.pageErrors(), text)
	}
}

// navigated reports whether err says the page went away under an action.
func navigated(err error) bool {
	for _, s := range []string{"navigated or closed", "context was destroyed", "Cannot find context"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// click clicks the enabled button labelled text.
func (b *browser) click(text string) {
	b.t.Helper()
	b.until(fmt.Sprintf(`[...document.querySelectorAll("button")].some((e) => e.textContent === %q && !e.disabled)`, text), "the button "+text)
	b.run(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll("button")].find((e) => e.textContent === %q).click()`, text)))
}

func (b *browser) login(user, password string) {
	b.t.Helper()
	b.run(chromedp.SendKeys(`#login input[name=username]`, user))
	b.run(chromedp.SendKeys(`#login input[name=password]`, password))
	b.run(chromedp.Click(`#login button`))
}

// shot saves a full-page PNG of the page at the given width as <name>-<width>.png.
func (b *browser) shot(name string, width int64) {
	b.t.Helper()
	b.run(chromedp.EmulateViewport(width, 900))
	b.run(chromedp.Sleep(300 * time.Millisecond)) // let the layout settle
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.run(chromedp.EmulateViewport(desktop, 900))
}

// watchErrors records the page's uncaught exceptions and console errors.
func (b *browser) watchErrors() {
	exceptions := chromedp.Events(b.ctx, runtime.ExceptionThrown)
	console := chromedp.Events(b.ctx, runtime.ConsoleAPICalled)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.record((&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	go func() {
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				b.record("console.error " + strings.Join(args, " "))
			}
		}
	}()
}

func (b *browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func (b *browser) noErrors() {
	b.t.Helper()
	if errs := b.pageErrors(); len(errs) > 0 {
		b.t.Fatalf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// artifactsDir is $WAREST_ARTIFACTS_DIR/browser, or test/browser/artifacts.
func artifactsDir(t *testing.T) string {
	dir := "artifacts"
	if d := os.Getenv("WAREST_ARTIFACTS_DIR"); d != "" {
		dir = filepath.Join(d, "browser")
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// receiver is a webhook endpoint answering with a switchable status; it counts
// the answers it gave.
type receiver struct {
	answer  atomic.Int32
	mu      sync.Mutex
	answers map[int]int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	status := int(r.answer.Load())
	r.mu.Lock()
	if r.answers == nil {
		r.answers = map[int]int{}
	}
	r.answers[status]++
	r.mu.Unlock()
	w.WriteHeader(status)
}

// serve runs r and returns its URL, ending in name (a receiver takes any path).
func serve(t *testing.T, r *receiver, name string) string {
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL + "/" + name
}

func (r *receiver) count(status int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answers[status]
}

// gateway is the real binary on the sandbox transport.
// gateway is the real gateway on the sandbox.
type gateway struct{ *gatewayproc.Process }

func startGateway(t *testing.T) *gateway {
	t.Helper()
	bin, err := gatewayproc.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{gatewayproc.New(t, bin, adminKey, map[string]string{
		// A new QR every 2 s, so the test sees the page follow it.
		"WAREST_SANDBOX_QR_INTERVAL_MS": "2000",
		// One quick retry, so a failing receiver makes a dead letter at once.
		"WAREST_WEBHOOK_RETRIES": "1", "WAREST_WEBHOOK_DISABLE_AFTER": "1000",
	})}
	g.Launch(t)
	return g
}

// call sends a JSON request with the admin key and fails the test unless it succeeds.
func (g *gateway) call(t *testing.T, method, path string, body any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, g.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-WAREST-API-KEY", adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out.String())
	}
}
