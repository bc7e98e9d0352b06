package notify

import (
	"strings"
	"sync"
)

// Signal is a level-triggered wake-up: many Pokes before a Wait count as one.
type Signal struct {
	c   chan struct{}
	bus *batcher // set when the hub is attached to a bus
}

func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Poke wakes this node's waiter at once and, when the hub is attached to a bus, the
// other nodes' through it (a second wake here when the signal comes back is harmless).
func (s *Signal) Poke() {
	s.wake()
	if s.bus != nil {
		s.bus.add("")
	}
}

func (s *Signal) wake() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// C is the channel to select on.
func (s *Signal) C() <-chan struct{} { return s.c }

// batcher sends signals over the bus in the background, one send at a time: the keys
// signalled while one is under way go together in the next, one per line, each once.
// Over SQL each send is an insert, and a busy gateway signals for every request and
// every message sent.
type batcher struct {
	send func(keys string)
	mu   sync.Mutex
	keys []string
	seen map[string]bool // of keys
	busy bool            // a flush is running
}

func newBatcher(send func(keys string)) *batcher {
	return &batcher{send: send, seen: map[string]bool{}}
}

func (b *batcher) add(key string) {
	b.mu.Lock()
	if !b.seen[key] {
		b.seen[key] = true
		b.keys = append(b.keys, key)
	}
	start := !b.busy
	b.busy = true
	b.mu.Unlock()
	if start {
		go b.flush()
	}
}

// flush sends until no key came during the last send: every key is sent by a send
// that began after it was added.
func (b *batcher) flush() {
	for {
		b.mu.Lock()
		keys := b.keys
		if len(keys) == 0 {
			b.busy = false
			b.mu.Unlock()
			return
		}
		b.keys, b.seen = nil, map[string]bool{}
		b.mu.Unlock()
		b.send(strings.Join(keys, "\n"))
	}
}
