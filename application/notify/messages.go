package notify

import "sync"

// Messages wakes requests waiting for a message to leave the send queue.
type Messages struct {
	broadcast
	mu      sync.Mutex
	waiting map[string]chan struct{} // by session/message: closed when it leaves "queued"
}

func newMessages() *Messages { return &Messages{waiting: map[string]chan struct{}{}} }

// Done wakes requests waiting for the message, on every node.
func (m *Messages) Done(sessionID, messageID string) { m.signal(sessionID+"/"+messageID, m.done) }

// done wakes the requests waiting for the message of key (session/message).
func (m *Messages) done(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.waiting[key]; ok {
		close(c)
		delete(m.waiting, key)
	}
}

// Watch returns a channel closed when the message leaves the queue, and a function
// to stop watching.
func (m *Messages) Watch(sessionID, messageID string) (<-chan struct{}, func()) {
	key := sessionID + "/" + messageID
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.waiting[key]
	if !ok {
		c = make(chan struct{})
		m.waiting[key] = c
	}
	return c, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.waiting[key] == c {
			delete(m.waiting, key)
		}
	}
}

// Publications tells live streams that the relay published events.
type Publications struct {
	broadcast
	mu   sync.Mutex
	next chan struct{} // closed and replaced when events were published
}

func newPublications() *Publications { return &Publications{next: make(chan struct{})} }

// Announce wakes live streams, on every node.
func (p *Publications) Announce() { p.signal("", func(string) { p.announced() }) }

func (p *Publications) announced() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.next)
	p.next = make(chan struct{})
}

// Published returns a channel closed the next time events are published. Take it
// before reading the log, so a publication between the read and the wait counts.
func (p *Publications) Published() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next
}
