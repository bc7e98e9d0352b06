package notify

import "sync/atomic"

// Signal is a level-triggered wake-up: many Pokes before a Wait count as one.
type Signal struct {
	c   chan struct{}
	bus *coalescer // set when the hub is attached to a bus
}

func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Poke wakes this node's waiter at once and, when the hub is attached to a bus, the
// other nodes' through it (a second wake here when the signal comes back is harmless).
func (s *Signal) Poke() {
	s.wake()
	if s.bus != nil {
		s.bus.fire()
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

// coalescer sends a keyless signal over the bus in the background, one send at a
// time: the fires made while one is under way share the next. Over SQL each send is
// an insert, and a busy gateway fires for every request.
type coalescer struct {
	send  func()
	fires atomic.Int64 // since the send under way began (0: none under way)
}

func (c *coalescer) fire() {
	if c.fires.Add(1) == 1 {
		go c.flush()
	}
}

// flush sends until no fire came during the last send: every fire is followed by a
// send that began after it.
func (c *coalescer) flush() {
	for {
		c.send()
		if c.fires.CompareAndSwap(1, 0) {
			return
		}
		c.fires.Store(1)
	}
}
