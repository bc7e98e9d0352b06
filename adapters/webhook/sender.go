// Package webhook performs webhook HTTP deliveries.
package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/ports"
)

const (
	userAgent = "WAREST/1 (webhook) Go"
	// maxResponseBody bounds what we read of a receiver's answer: enough for response
	// actions, and a hostile receiver streaming forever cannot hold a worker.
	maxResponseBody = 64 << 10
	defaultTimeout  = 10 * time.Second
	// maxIdlePerHost is above any sensible number of webhook workers, all of whose
	// lines may go to one receiver.
	maxIdlePerHost = 64
)

var _ ports.WebhookSender = (*Sender)(nil)

// Config sets the timeout used when a request carries none.
type Config struct {
	Timeout time.Duration
}

// Sender POSTs webhook bodies. It never follows redirects: a receiver answering
// 3xx gets that status recorded as a failed attempt, and a signed body is never
// replayed to a host the subscriber did not configure. Every address dialled, after
// DNS resolution, must be within the request's reach.
type Sender struct {
	clients map[netpolicy.Reach]*http.Client
	timeout time.Duration
}

// New builds a Sender with a connection pool per reach: a connection opened for a
// receiver one reach allows is never reused for a request of a narrower one.
func New(cfg Config) *Sender {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	return &Sender{
		clients: map[netpolicy.Reach]*http.Client{netpolicy.Public: client(netpolicy.Public), netpolicy.Private: client(netpolicy.Private)},
		timeout: timeout,
	}
}

func client(reach netpolicy.Reach) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// A proxy would dial for us and bypass the check.
	transport.Proxy = nil
	// Every line to one receiver keeps its connection: with the default of two idle
	// connections per host, the workers' other lines dialled and dropped one per
	// delivery, each leaving a socket in TIME_WAIT.
	transport.MaxIdleConnsPerHost = maxIdlePerHost
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		// Control sees the exact address about to be dialled, after DNS resolution.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !reach.Allows(ap.Addr()) {
				return fmt.Errorf("webhook receiver address %s is not allowed", address)
			}
			return nil
		}}
	transport.DialContext = dialer.DialContext
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Send POSTs r.Body with r.Headers. err is set only when no response arrived;
// any status, 3xx and 5xx included, is returned for the caller's retry policy, with
// at most maxResponseBody bytes of the body (for response actions).
func (s *Sender) Send(ctx context.Context, r ports.WebhookRequest) (ports.WebhookResponse, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = s.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return ports.WebhookResponse{}, fmt.Errorf("webhook: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}

	c, ok := s.clients[r.Reach]
	if !ok {
		return ports.WebhookResponse{}, fmt.Errorf("webhook: unknown reach %d", r.Reach)
	}
	resp, err := c.Do(req)
	if err != nil {
		return ports.WebhookResponse{}, fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	// A body cut short by the timeout or the limit still leaves a valid status: the
	// receiver answered, so the read error is not the attempt's outcome.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	return ports.WebhookResponse{Status: resp.StatusCode, Body: body}, nil
}
