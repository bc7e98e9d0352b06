package sandbox

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func TestStartUnpairedEmitsRotatingQR(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{QRInterval: 10 * time.Millisecond, QRTTL: time.Minute})
	sink := &recordingSink{}
	if err := n.Start(context.Background(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	qrs := waitFor[ports.TransportQR](t, sink, 3)
	for i, qr := range qrs[:3] {
		want := "sandbox-qr:s1:" + string(rune('1'+i)) + ":"
		if !strings.HasPrefix(qr.Code, want) || qr.SessionID != "s1" || qr.ExpiresIn != time.Minute {
			t.Fatalf("QR %d = %+v, want prefix %q", i, qr, want)
		}
	}
	if qrs[0].Code == qrs[1].Code {
		t.Fatal("QR did not rotate")
	}
}

func TestScanStaleOrUnknownCodeFails(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{QRInterval: 10 * time.Millisecond, QRTTL: time.Minute})
	sink := &recordingSink{}
	if err := n.Start(context.Background(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	first := waitFor[ports.TransportQR](t, sink, 2)[0]
	if err := n.Scan("s1", first.Code, "628111111111", "A"); !fault.Is(err, fault.KindInvalid) ||
		!strings.Contains(err.Error(), "expired or unknown") {
		t.Fatalf("Scan(rotated code) = %v", err)
	}
	if err := n.Scan("s1", "sandbox-qr:s1:1:nope", "628111111111", "A"); err == nil {
		t.Fatal("unknown code accepted")
	}

	// The current code expires with the clock, not with wall time.
	n2, clock := newTestNetwork(t, Config{QRTTL: 30 * time.Second})
	sink2 := &recordingSink{}
	if err := n2.Start(context.Background(), "s2", sink2); err != nil {
		t.Fatal(err)
	}
	code := waitFor[ports.TransportQR](t, sink2, 1)[0].Code
	clock.Advance(31 * time.Second)
	if _, ok := n2.CurrentQR("s2"); ok {
		t.Fatal("CurrentQR returned an expired code")
	}
	if err := n2.Scan("s2", code, "628111111111", "A"); err == nil {
		t.Fatal("expired code accepted")
	}
}

func TestScanPairsAndConnects(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := &recordingSink{}
	if err := n.Start(context.Background(), "s1", sink); err != nil {
		t.Fatal(err)
	}
	waitFor[ports.TransportQR](t, sink, 1)
	code, ok := n.CurrentQR("s1")
	if !ok {
		t.Fatal("no current QR")
	}
	if err := n.Scan("s1", code, "+62 811-1111-111", "Alice"); err != nil {
		t.Fatal(err)
	}
	me := waitFor[ports.TransportConnected](t, sink, 1)[0].Me
	if me.JID != "628111111111@s.whatsapp.net" || me.Name != "Alice" || !regexp.MustCompile(`^[1-9]\d{14}@lid$`).MatchString(me.LID) {
		t.Fatalf("identity = %+v", me)
	}
	if me.LID != lidFor("628111111111").String() {
		t.Fatal("LID is not deterministic")
	}
	if _, ok := n.CurrentQR("s1"); ok {
		t.Fatal("paired session still shows a QR")
	}
	dev, _ := n.Device(context.Background(), "s1")
	if dev != (ports.DeviceInfo{Name: "Alice", Phone: "628111111111", Platform: "sandbox"}) {
		t.Fatalf("Device = %+v", dev)
	}
	if err := n.Scan("s1", code, "628111111111", "Alice"); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("second Scan = %v", err)
	}
}

func TestScanNeedsStartedSession(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	if err := n.Scan("nope", "x", "628111111111", "A"); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("Scan = %v", err)
	}
	if _, ok := n.CurrentQR("nope"); ok {
		t.Fatal("QR for a session never started")
	}
}

func TestPhoneLinksToOneSessionOnly(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	sink := &recordingSink{}
	_ = n.Start(context.Background(), "s2", sink)
	code := waitFor[ports.TransportQR](t, sink, 1)[0].Code
	if err := n.Scan("s2", code, "628111111111", "A"); !fault.Is(err, fault.KindConflict) {
		t.Fatalf("Scan = %v", err)
	}
}

func TestPairPhoneCode(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	n.AddContact(ports.SandboxContact{Phone: "628222222222", Name: "Bob"})
	sink := &recordingSink{}
	if _, err := n.PairPhone(context.Background(), "s1", "628222222222"); err == nil {
		t.Fatal("pair code for a session not started")
	}
	_ = n.Start(context.Background(), "s1", sink)
	code, err := n.PairPhone(context.Background(), "s1", "628222222222")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}$`).MatchString(code) {
		t.Fatalf("pair code %q", code)
	}
	if err := n.ConfirmPairCode("s1", "AAAA-AAAA"); err == nil {
		t.Fatal("wrong pair code accepted")
	}
	if err := n.ConfirmPairCode("s1", strings.ToLower(strings.ReplaceAll(code, "-", ""))); err != nil {
		t.Fatal(err)
	}
	me := waitFor[ports.TransportConnected](t, sink, 1)[0].Me
	if me.JID != "628222222222@s.whatsapp.net" || me.Name != "Bob" {
		t.Fatalf("identity = %+v", me)
	}
}

func TestStartTwiceIsNoOp(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	sink := &recordingSink{}
	_ = n.Start(context.Background(), "s1", sink)
	waitFor[ports.TransportQR](t, sink, 1)
	if err := n.Start(context.Background(), "s1", &recordingSink{}); err != nil {
		t.Fatal(err)
	}
	code, _ := n.CurrentQR("s1")
	if !strings.HasPrefix(code, "sandbox-qr:s1:1:") {
		t.Fatalf("second Start issued a new QR: %s", code)
	}
}

func TestStopKeepsCredentials(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	if err := n.Stop(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "x")); err == nil {
		t.Fatal("send on a stopped session")
	}
	sink := &recordingSink{}
	_ = n.Start(context.Background(), "s1", sink)
	waitFor[ports.TransportConnected](t, sink, 1)
	if qrs := only[ports.TransportQR](sink.snapshot()); len(qrs) != 0 {
		t.Fatal("paired session showed a QR after restart")
	}
}

func TestLogoutPurges(t *testing.T) {
	t.Parallel()
	n, _ := newTestNetwork(t, Config{})
	startPaired(t, n, "s1", "628111111111")
	if err := n.Logout(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	if dev, _ := n.Device(context.Background(), "s1"); dev != (ports.DeviceInfo{}) {
		t.Fatalf("Device after logout = %+v", dev)
	}
	sink := &recordingSink{}
	_ = n.Start(context.Background(), "s1", sink)
	waitFor[ports.TransportQR](t, sink, 1)
	if c := only[ports.TransportConnected](sink.snapshot()); len(c) != 0 {
		t.Fatal("logged-out session connected without pairing")
	}
	if _, err := n.Send(context.Background(), "s1", text("s1", "628999999999", "x")); err == nil {
		t.Fatal("send after logout")
	}
	// The phone is free to link again.
	code, _ := n.CurrentQR("s1")
	if err := n.Scan("s1", code, "628111111111", "A"); err != nil {
		t.Fatal(err)
	}
}
