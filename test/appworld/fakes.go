package appworld

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Discard is a logger that writes nothing.
var Discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// FixedClock stands still at T; tests move it by setting T.
type FixedClock struct{ T time.Time }

func (c FixedClock) Now() time.Time { return c.T }

// RealClock is a ports.Clock on the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

// ULIDs issues event ids at the current time.
type ULIDs struct{}

func (ULIDs) NewID() string { return event.NewID(time.Now()) }

// FakeQR renders a QR payload as a recognisable data URL.
type FakeQR struct{}

func (FakeQR) DataURL(payload string) (string, error) {
	return "data:image/png;base64,QR(" + payload + ")", nil
}

// RecordingSender is a ports.WebhookSender that records every request and answers
// from a per-event-type script (then 200).
type RecordingSender struct {
	mu     sync.Mutex
	reqs   []ports.WebhookRequest
	script map[string][]int // X-WAREST-Event → statuses to answer, in order
	netErr map[string]int   // X-WAREST-Event → number of network errors before the script
}

func newSender() *RecordingSender {
	return &RecordingSender{script: map[string][]int{}, netErr: map[string]int{}}
}

// Script makes the next answers to events of eventType carry statuses, in order.
func (s *RecordingSender) Script(eventType string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[eventType] = statuses
}

// NetErrors makes the next n sends of events of eventType fail as the network would.
func (s *RecordingSender) NetErrors(eventType string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.netErr[eventType] = n
}

func (s *RecordingSender) Send(_ context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
	ev := r.Headers["X-WAREST-Event"]
	if n := s.netErr[ev]; n > 0 {
		s.netErr[ev] = n - 1
		return ports.WebhookResponse{}, errors.New("connection refused")
	}
	status := 200
	if sc := s.script[ev]; len(sc) > 0 {
		s.script[ev] = sc[1:]
		status = sc[0]
	}
	return ports.WebhookResponse{Status: status}, nil
}

// Requests returns the recorded requests whose header h equals v ("" h: all).
func (s *RecordingSender) Requests(h, v string) []ports.WebhookRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ports.WebhookRequest
	for _, r := range s.reqs {
		if h == "" || r.Headers[h] == v {
			out = append(out, r)
		}
	}
	return out
}

// FlakyTransport fails the first Fails sends (all when Fails < 0) with Err, or
// ErrNetworkDown when Err is nil, and counts calls. Set Err before any send.
type FlakyTransport struct {
	*sandbox.Network
	Err   error
	Fails atomic.Int64
	Calls atomic.Int64
}

// ErrNetworkDown is what FlakyTransport fails with by default: an error nobody
// classified.
var ErrNetworkDown = errors.New("sandbox: network down")

func (f *FlakyTransport) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	f.Calls.Add(1)
	if n := f.Fails.Load(); n != 0 {
		f.Fails.Add(-1)
		if f.Err != nil {
			return ports.SendReceipt{}, f.Err
		}
		return ports.SendReceipt{}, ErrNetworkDown
	}
	return f.Network.Send(ctx, sessionID, m)
}
