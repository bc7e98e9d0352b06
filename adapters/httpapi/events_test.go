package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
)

// A session id freed by its owner and taken by another user must not carry the new
// owner's events into the old owner's open stream: the stream ends.
func TestEventStreamDoesNotFollowAReusedSessionID(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	a.openSession(t, alice, "reuse1", "6281111111111")
	s := openStream(t, srv, alice, "?sessionId=reuse1", "")
	s.next(t, "creds_update") // the stream runs
	expect(t, a.do(t, http.MethodDelete, "/api/v1/session/delete?sessionId=reuse1", alice, nil), http.StatusOK, 1000)
	a.openSession(t, bob, "reuse1", "6282222222222")
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/reuse1/inbound", bob, map[string]any{"from": "6283333333333", "text": "for bob only"}), 200, 1000)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return
			}
			if strings.Contains(f["data"], "for bob only") || strings.Contains(f["data"], "6282222222222") {
				t.Fatalf("alice's stream carried bob's event %v", f)
			}
		case <-deadline:
			t.Fatal("alice's stream is still open after her session was deleted")
		}
	}
}

// Each user holds at most their cap of streams open; the next is refused in the
// envelope until one closes. Admins are uncapped, and an admin can lift a user's cap.
func TestEventStreamCap(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Caps.Streams = 2 })
	alice, aliceID := a.user(t, "alice")
	bob, _ := a.user(t, "bob")
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	first := openStream(t, srv, alice, "", "")
	openStream(t, srv, alice, "", "")
	r := a.do(t, http.MethodGet, "/api/v1/events/stream", alice, nil)
	expect(t, r, http.StatusForbidden, 2403)
	if !strings.Contains(r.env.Message, "2 streams") {
		t.Fatalf("refusal does not name the cap: %s", r.body)
	}
	openStream(t, srv, bob, "", "") // caps are per user
	for range 3 {
		openStream(t, srv, a.adminKey, "", "")
	}

	first.cancel()
	waitFor(t, "alice's closed stream to free its slot", func() bool {
		s, status := dialStream(t, srv, alice, "", "")
		if s == nil && status != http.StatusForbidden {
			t.Fatalf("stream refused with HTTP %d", status)
		}
		return s != nil
	})
	expect(t, a.do(t, http.MethodGet, "/api/v1/events/stream", alice, nil), http.StatusForbidden, 2403)

	expect(t, a.do(t, http.MethodPut, "/api/v1/users/"+aliceID+"/limits", a.adminKey, map[string]any{"maxStreams": 0}), http.StatusOK, 1000)
	openStream(t, srv, alice, "", "") // 0: unlimited
}

// Shutting the server down ends every open stream at once.
func TestCloseStreamsEndsOpenStreams(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice, _ := a.user(t, "alice")
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	streams := []*sse{openStream(t, srv, alice, "", ""), openStream(t, srv, a.adminKey, "", "")}
	a.h.CloseStreams()
	deadline := time.After(2 * time.Second)
	for _, s := range streams {
		for ended := false; !ended; {
			select {
			case _, open := <-s.frames: // the reader closes frames at the end of the body
				ended = !open
			case <-deadline:
				t.Fatal("a stream still runs 2 s after CloseStreams")
			}
		}
	}
	// A stream opened afterwards ends at once too.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v1/events/stream", nil)
	req.Header.Set("X-WAREST-API-KEY", alice)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf [512]byte
	for err == nil {
		_, err = resp.Body.Read(buf[:])
	}
	resp.Body.Close()
	if ctx.Err() != nil {
		t.Fatal("a stream opened after CloseStreams stayed open")
	}
}

// A stream wakes on published events (Deps.Live) instead of waiting for its
// fallback poll (5 s with wake-ups).
func TestEventStreamWakesOnPublishedEvents(t *testing.T) {
	t.Parallel()
	a := newHookApp(t)
	alice, _ := a.user(t, "alice")
	srv := httptest.NewServer(a.h)
	t.Cleanup(srv.Close)
	a.openSession(t, alice, "wake1", "6281111111111")
	s := openStream(t, srv, alice, "?sessionId=wake1", "")
	s.next(t, "creds_update") // caught up; now waiting
	time.Sleep(100 * time.Millisecond)
	sent := time.Now()
	expect(t, a.do(t, http.MethodPost, "/api/v1/sandbox/sessions/wake1/inbound", alice, map[string]any{"from": "6283333333333", "text": "wake up"}), 200, 1000)
	s.next(t, "message_received")
	if d := time.Since(sent); d > 2500*time.Millisecond { // half the fallback: room for slow -race runs
		t.Fatalf("the stream saw the inbound message after %v, want well under its 5 s fallback poll", d)
	}
}
