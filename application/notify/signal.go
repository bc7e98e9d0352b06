package notify

// Signal is a level-triggered wake-up: many Pokes before a Wait count as one.
type Signal struct {
	c    chan struct{}
	send func() // set when the hub is attached to a bus
}

func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Poke wakes this node's waiter at once and, when the hub is attached to a bus, the
// other nodes' through it (a second wake here when the signal comes back is harmless).
func (s *Signal) Poke() {
	s.wake()
	if s.send != nil {
		s.send()
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
