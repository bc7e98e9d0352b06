// Package sandbox is a virtual WhatsApp network implementing ports.Transport (and
// the Groups, Profiles and Contacts ports), for tests, demos and bot development.
// The Network is the world: people by phone (linked accounts and virtual
// contacts), groups and the message log; each started session has a client that
// delivers the session's events to its sink, one at a time and in order.
package sandbox

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

var (
	_ ports.Transport       = (*Network)(nil)
	_ ports.MediaDownloader = (*Network)(nil)
	_ ports.SandboxNetwork  = (*Network)(nil)
	_ ports.Groups          = (*Network)(nil)
	_ ports.Profiles        = (*Network)(nil)
	_ ports.Contacts        = (*Network)(nil)
	_ ports.Calls           = (*Network)(nil)
)

// Config tunes the simulated timings. Zero values take the defaults.
type Config struct {
	QRInterval     time.Duration // a new QR every interval; default 20s
	QRTTL          time.Duration // how long a QR can be scanned; default QRInterval
	ReconnectDelay time.Duration // gap between a simulated disconnect and the reconnect; default 2s
	// Seed makes ids, codes and injected failures reproducible; 0 seeds randomly.
	Seed uint64
	// Log receives the events a sink keeps refusing; nil: slog.Default().
	Log *slog.Logger
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
	log   *slog.Logger

	mu       sync.Mutex
	rng      *rand.Rand
	sessions map[string]*sessionState
	people   map[string]*person // phone digits → person
	byLID    map[string]*person // LID user part → person
	groups   map[string]*group  // group JID user part → group
	invites  map[string]*group  // invite code → group
	calls    map[string]*call   // call id → call
	messages map[string][]*record
	media    map[string][]byte    // hex SHA-256 → a file virtual people sent
	clients  map[*client]struct{} // every live client, draining ones included
	// detached are the ids of clients that went away (Detach); replacements
	// lists every connection that replaced another client's.
	detached     map[string]bool
	replacements []ports.SandboxReplacement
	closed       bool

	goroutines sync.WaitGroup
}

// sessionState is everything the network knows about one session id. It outlives
// its clients: credentials and undelivered events survive Stop.
type sessionState struct {
	id        string
	me        *person // the linked account, nil until paired
	client    *client // the running client, nil when stopped; one at a time, as WhatsApp allows one connection per device
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

	faults   ports.SandboxFaults
	sent     []message.Outbound
	attempts []ports.SandboxSendAttempt
	receipts map[string]ports.SendReceipt // by message id: sends are idempotent
	account  accountState
}

// queued is one undelivered event; accepted, when set, runs (under Network.mu)
// once the sink has stored it, e.g. to send the author a delivery receipt.
type queued struct {
	seq      uint64
	ev       ports.TransportEvent
	accepted func()
}

// NewNetwork creates an empty network. clock stamps messages, expires QR codes and
// bounds edits; nil means the system clock.
func NewNetwork(cfg Config, clock ports.Clock) *Network {
	if clock == nil {
		clock = systemClock{}
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Network{
		cfg:      cfg.withDefaults(),
		clock:    clock,
		log:      cmp.Or(cfg.Log, slog.Default()),
		rng:      rand.New(rand.NewPCG(seed, seed^0x5eed)),
		sessions: map[string]*sessionState{},
		people:   map[string]*person{},
		byLID:    map[string]*person{},
		groups:   map[string]*group{},
		invites:  map[string]*group{},
		calls:    map[string]*call{},
		messages: map[string][]*record{},
		media:    map[string][]byte{},
		clients:  map[*client]struct{}{},
		detached: map[string]bool{},
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

var errClosed = errors.New("sandbox: network closed")

// state returns the session's state, creating it on first use. Caller holds n.mu.
func (n *Network) state(sessionID string) *sessionState {
	st, ok := n.sessions[sessionID]
	if !ok {
		st = &sessionState{id: sessionID}
		n.sessions[sessionID] = st
	}
	return st
}

// now is the network time in UTC.
func (n *Network) now() time.Time { return n.clock.Now().UTC() }

// enqueue appends ev to the session's mailbox. Caller holds n.mu; the order of
// enqueue calls is the order the sink sees.
func (n *Network) enqueue(st *sessionState, ev ports.TransportEvent) {
	n.enqueueThen(st, ev, nil)
}

// enqueueThen is enqueue with a hook run once the sink accepted ev.
func (n *Network) enqueueThen(st *sessionState, ev ports.TransportEvent, accepted func()) {
	st.nextSeq++
	st.mailbox = append(st.mailbox, queued{seq: st.nextSeq, ev: ev, accepted: accepted})
	if st.client != nil {
		st.client.wake()
	}
}
