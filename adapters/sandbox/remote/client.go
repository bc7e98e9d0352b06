package remote

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/warest-go/warest/ports"
)

var _ Network = (*Client)(nil)

// callTimeout bounds control-surface calls, which take no context.
const callTimeout = 30 * time.Second

// Client is a sandbox network in another process, reached over HTTP. Started
// sessions get their events through one stream per Client.
type Client struct {
	base string
	id   string
	http *http.Client

	ctx    context.Context // ends the stream and event handling on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	sinks     map[string]ports.TransportSink
	streaming bool
	up        chan struct{} // closed while a stream is connected
}

// NewClient reaches the Server at baseURL, e.g. "http://127.0.0.1:7400".
func NewClient(baseURL string) *Client { return NewNamedClient(baseURL, "") }

// NewNamedClient is NewClient with a client id that starts with name and a "/".
// The id stays unique per Client: a restarted gateway is a new connection.
func NewNamedClient(baseURL, name string) *Client {
	ctx, cancel := context.WithCancel(context.Background())
	random := make([]byte, 8)
	_, _ = rand.Read(random) // crypto/rand.Read never fails
	id := hex.EncodeToString(random)
	if name != "" {
		id = name + "/" + id
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), id: id, http: &http.Client{},
		ctx: ctx, cancel: cancel, sinks: map[string]ports.TransportSink{}, up: make(chan struct{})}
}

// ID is the client id the network knows this Client by.
func (c *Client) ID() string { return c.id }

// Close tells the server this client is going away, ends the stream and waits
// for event handling in progress, or for ctx. Sessions stay started on the
// server until another client starts them, which is then a takeover, not a fight.
func (c *Client) Close(ctx context.Context) error {
	// Best effort: a server out of reach sees the stream end instead.
	_, _ = call[struct{}](ctx, c, "detach", args{})
	c.cancel()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call runs op on the server as this client and decodes its result into T.
func call[T any](ctx context.Context, c *Client, op string, a args) (T, error) {
	var out T
	a.Client = c.id
	body, err := json.Marshal(a)
	if err != nil {
		return out, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/call/"+op, bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return out, fmt.Errorf("sandbox network unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("sandbox network: %s answered %s", op, resp.Status)
	}
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return out, err
	}
	if r.Error != nil {
		return out, r.Error.err()
	}
	if len(r.Result) > 0 {
		err = json.Unmarshal(r.Result, &out)
	}
	return out, err
}

// control is call for the context-free control surface.
func control[T any](c *Client, op string, a args) (T, error) {
	ctx, cancel := context.WithTimeout(c.ctx, callTimeout)
	defer cancel()
	return call[T](ctx, c, op, a)
}

// Start opens the event stream if needed, then starts the session on the server
// with its events bound to this client.
func (c *Client) Start(ctx context.Context, sessionID string, sink ports.TransportSink) error {
	if sink == nil {
		return errors.New("remote: nil sink")
	}
	if err := c.connect(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	c.sinks[sessionID] = sink
	c.mu.Unlock()
	_, err := call[struct{}](ctx, c, "start", args{Session: sessionID})
	return err
}

// connect starts the stream loop once and waits until a stream is up.
func (c *Client) connect(ctx context.Context) error {
	c.mu.Lock()
	if !c.streaming {
		c.streaming = true
		c.wg.Add(1)
		go c.stream()
	}
	up := c.up
	c.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return errors.New("remote: client closed")
	}
}

// stream keeps an event stream open until Close, reconnecting with backoff.
func (c *Client) stream() {
	defer c.wg.Done()
	wait := 50 * time.Millisecond
	for c.ctx.Err() == nil {
		if c.streamOnce() {
			wait = 50 * time.Millisecond
		}
		c.mu.Lock()
		select {
		case <-c.up:
			c.up = make(chan struct{})
		default:
		}
		c.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// streamOnce reads one stream to its end; it reports whether it connected.
func (c *Client) streamOnce() bool {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, c.base+"/v1/events?client="+url.QueryEscape(c.id), nil)
	if err != nil {
		return false
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	var hello frame
	if dec.Decode(&hello) != nil || !hello.Hello {
		return false
	}
	c.mu.Lock()
	close(c.up)
	c.mu.Unlock()
	for {
		var f frame
		if dec.Decode(&f) != nil {
			return true
		}
		c.wg.Add(1)
		go c.handle(f)
	}
}

// handle gives one event to its session's sink and acknowledges the outcome. The
// server sends a session's next event only after this answer, so order holds.
func (c *Client) handle(f frame) {
	defer c.wg.Done()
	err := errors.New("remote: session not started in this gateway")
	c.mu.Lock()
	sink := c.sinks[f.Session]
	c.mu.Unlock()
	if sink != nil {
		var ev ports.TransportEvent
		if ev, err = decodeEvent(f); err == nil {
			err = sink.Handle(c.ctx, ev)
		}
	}
	a := ack{Client: c.id, ID: f.ID}
	if err != nil {
		a.Error = err.Error()
	}
	body, _ := json.Marshal(a)
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.base+"/v1/ack", bytes.NewReader(body))
	if err != nil {
		return
	}
	if resp, err := c.http.Do(req); err == nil {
		resp.Body.Close()
	}
}
