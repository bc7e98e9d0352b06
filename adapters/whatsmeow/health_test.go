package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types/events"
)

func TestBackoffFollowsWAREST(t *testing.T) {
	t.Parallel()
	b := DefaultBackoff
	for attempt, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 4: 16 * time.Second, 5: 30 * time.Second, 9: 30 * time.Second} {
		if got := b.delay(attempt, 0); got != want {
			t.Errorf("delay(%d) = %v, want %v", attempt, got, want)
		}
	}
	if lo, hi := b.delay(2, -1), b.delay(2, 1); lo != 3200*time.Millisecond || hi != 4800*time.Millisecond {
		t.Errorf("±20%% jitter bounds = %v..%v", lo, hi)
	}
}

func TestToSignal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		evt  any
		want signal
	}{
		{&events.Connected{}, signal{kind: sigConnected}},
		{&events.Disconnected{}, signal{kind: sigRetry, code: "network", reason: "connection closed"}},
		{&events.ManualLoginReconnect{}, signal{kind: sigRestart, code: "paired", reason: "reconnect after pairing"}},
		{&events.StreamReplaced{}, signal{kind: sigStop, code: "replaced", reason: "stream replaced"}},
		{&events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour},
			signal{kind: sigRetry, code: "temporary_ban", reason: (&events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour}).String(), minDelay: time.Hour}},
		{&events.ClientOutdated{}, signal{kind: sigRetry, code: "client_outdated", reason: "client is out of date"}},
		{&events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable}, signal{kind: sigRetry, code: "connect_failure", reason: "503: unknown error"}},
		{&events.StreamError{Code: "500"}, signal{kind: sigRetry, code: "stream_error", reason: "stream error 500"}},
		{&events.CATRefreshError{Error: errors.New("x")}, signal{kind: sigRetry, code: "auth_refresh", reason: "could not refresh the auth token"}},
		{&events.PairError{Error: errors.New("x")}, signal{kind: sigRetry, code: "pair_error", reason: "pairing failed"}},
	}
	for _, tt := range tests {
		if got, ok := toSignal(tt.evt); !ok || got != tt.want {
			t.Errorf("toSignal(%T) = %+v, %v; want %+v", tt.evt, got, ok, tt.want)
		}
	}
	for _, evt := range []any{&events.Message{}, &events.KeepAliveTimeout{}, &events.LoggedOut{}, &events.QR{}} {
		if _, ok := toSignal(evt); ok {
			t.Errorf("%T is not a loop signal", evt)
		}
	}
}

func TestClassifyConnectErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("%w: %w", socket.ErrDialFailed, &net.OpError{Op: "dial", Err: errors.New("connection refused")}), "network"},
		{&net.DNSError{Err: "no such host", Name: "web.whatsapp.com"}, "network"},
		{fmt.Errorf("%w: %w", socket.ErrDialFailed, socket.ErrWithStatusCode{StatusCode: 403}), "http_403"},
		{fmt.Errorf("noise handshake failed: %w", errors.New("bad cert")), "handshake"},
		{context.DeadlineExceeded, "timeout"},
		{store.ErrDeviceDeleted, "device_deleted"},
		{errors.New("strange"), "connect_failed"},
	}
	for _, tt := range tests {
		if code, reason := classify(tt.err); code != tt.code || reason == "" {
			t.Errorf("classify(%v) = %q %q, want %q", tt.err, code, reason, tt.code)
		}
	}
}

func TestWatchdogDiagnosis(t *testing.T) {
	t.Parallel()
	limit := time.Minute
	now := t0.Add(10 * time.Minute)
	up := vitals{connectedAt: t0, paired: true, loggedIn: true, socketUp: true}
	tests := []struct {
		name string
		v    func(v vitals) vitals
		code string
	}{
		{"healthy and quiet", func(v vitals) vitals { return v }, ""},
		{"not connected yet", func(vitals) vitals { return vitals{} }, ""},
		{"socket closed without an event", func(v vitals) vitals { v.socketUp = false; return v }, "socket_lost"},
		{"keepalives failing, nothing received", func(v vitals) vitals { v.keepAliveFail = now.Add(-2 * limit); return v }, "keepalive_timeout"},
		{"keepalives failing but traffic flows", func(v vitals) vitals {
			v.keepAliveFail, v.lastInbound = now.Add(-2*limit), now.Add(-time.Second)
			return v
		}, ""},
		{"keepalives failing briefly", func(v vitals) vitals { v.keepAliveFail = now.Add(-limit / 2); return v }, ""},
		{"paired but never logged in", func(v vitals) vitals { v.loggedIn = false; return v }, "login_timeout"},
		{"unpaired waiting for a scan", func(v vitals) vitals { v.loggedIn, v.paired = false, false; return v }, ""},
	}
	for _, tt := range tests {
		code, _, dead := diagnose(tt.v(up), now, limit)
		if code != tt.code || dead != (tt.code != "") {
			t.Errorf("%s: diagnose = %q %v, want %q", tt.name, code, dead, tt.code)
		}
	}
}
