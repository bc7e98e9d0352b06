// Package sandbox is a virtual WhatsApp network implementing ports.Transport, for
// tests, demos and bot development. The Network is the world (accounts by phone,
// virtual contacts, the message log); each started session has a client that
// delivers the session's events to its sink, one at a time and in order.
package sandbox

import (
	"context"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

var (
	_ ports.Transport      = (*Network)(nil)
	_ ports.SandboxNetwork = (*Network)(nil)
)

// Config tunes the simulated timings. Zero values take the defaults.
type Config struct {
	QRInterval     time.Duration // a new QR every interval; default 20s
	QRTTL          time.Duration // how long a QR can be scanned; default QRInterval
	ReconnectDelay time.Duration // gap between a simulated disconnect and the reconnect; default 2s
}

func (c Config) withDefaults() Config {
	if c.QRInterval <= 0 {
		c.QRInterval = 20 * time.Second
	}
	if c.QRTTL <= 0 {
		c.QRTTL = c.QRInterval
	}
	if c.ReconnectDelay <= 0 {
		c.ReconnectDelay = 2 * time.Second
	}
	return c
}

// Network is the virtual WhatsApp world. One mutex guards all of it: the sandbox
// favours obviously-correct ordering over throughput.
type Network struct {
	cfg   Config
	clock ports.Clock

	mu       sync.Mutex
	sessions map[string]*sessionState
	byPhone  map[string]*sessionState // paired phone digits → its session
	contacts map[string]string        // phone digits → name
	clients  map[*client]struct{}     // every live client, draining ones included
	closed   bool

	goroutines sync.WaitGroup
}

// sessionState is everything the network knows about one session id. It outlives
// its clients: credentials and undelivered events survive Stop.
type sessionState struct {
	id        string
	account   *account // nil until paired
	client    *client  // the running client, nil when stopped
	connected bool

	// mailbox holds events the sink has not accepted yet. The head is removed only
	// after Handle returns nil, so nothing is lost across retries or restarts.
	mailbox []queued
	nextSeq uint64
	// lane lets one deliverer at a time work on the mailbox, so a client started
	// while its predecessor still finishes a Handle call cannot overtake it.
	lane sync.Mutex

	qr       qrState
	qrCount  int
	pairCode pairCodeState

	sent     []message.Outbound
	receipts map[string]ports.SendReceipt // by message id: sends are idempotent
}

type queued struct {
	seq uint64
	ev  ports.TransportEvent
}

// NewNetwork creates an empty network. clock stamps messages and expires QR codes;
// nil means the system clock.
func NewNetwork(cfg Config, clock ports.Clock) *Network {
	if clock == nil {
		clock = systemClock{}
	}
	return &Network{
		cfg:      cfg.withDefaults(),
		clock:    clock,
		sessions: map[string]*sessionState{},
		byPhone:  map[string]*sessionState{},
		contacts: map[string]string{},
		clients:  map[*client]struct{}{},
	}
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Close stops every client and waits for their goroutines, or for ctx.
func (n *Network) Close(ctx context.Context) error {
	n.mu.Lock()
	n.closed = true
	for c := range n.clients {
		c.cancel()
	}
	for _, st := range n.sessions {
		st.client, st.connected = nil, false
	}
	n.mu.Unlock()

	done := make(chan struct{})
	go func() {
		n.goroutines.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// state returns the session's state, creating it on first use. Caller holds n.mu.
func (n *Network) state(sessionID string) *sessionState {
	st, ok := n.sessions[sessionID]
	if !ok {
		st = &sessionState{id: sessionID, receipts: map[string]ports.SendReceipt{}}
		n.sessions[sessionID] = st
	}
	return st
}

// enqueue appends ev to the session's mailbox. Caller holds n.mu; the order of
// enqueue calls is the order the sink sees.
func (n *Network) enqueue(st *sessionState, ev ports.TransportEvent) {
	st.nextSeq++
	st.mailbox = append(st.mailbox, queued{seq: st.nextSeq, ev: ev})
	if st.client != nil {
		st.client.wake()
	}
}
