// Package proxy is WAREST's proxy pool policy: which proxy a session's WhatsApp
// connection goes through, how failing proxies cool off and when a session rotates.
// It is pure: time and randomness come from the caller.
package proxy

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/fault"
)

// Strategy chooses among proxies that are not cooling off.
type Strategy string

const (
	Failover   Strategy = "failover"    // the first proxy in order
	RoundRobin Strategy = "round_robin" // a cursor shared by every session
	Random     Strategy = "random"      // any one, uniformly
)

// Config is the pool's policy. Zero values of the numeric knobs take WAREST's defaults
// in NewPool; use Defaults to see them.
type Config struct {
	URLs        []string
	Strategy    Strategy
	Sticky      bool
	RotateAfter int           // failures before a sticky session leaves its proxy
	Cooloff     time.Duration // base cool-off after a failure
	Multiplier  int           // cool-off grows up to Cooloff × Multiplier
}

// Defaults returns WAREST's defaults for n proxies: round robin with several, failover
// with one; sticky whenever a proxy is set; rotate after 2 failures (1 with one proxy);
// 15 s cool-off growing up to 3×.
func Defaults(n int) Config {
	c := Config{Strategy: Failover, Sticky: n > 0, RotateAfter: 1, Cooloff: 15 * time.Second, Multiplier: 3}
	if n > 1 {
		c.Strategy, c.RotateAfter = RoundRobin, 2
	}
	return c
}

// ParseURLs splits a comma or newline separated list, adds http:// to a bare
// host:port, drops duplicates and accepts only http, https and socks5 proxies.
func ParseURLs(raw string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		s := strings.TrimSpace(part)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "://") {
			s = "http://" + s
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "invalid proxy URL %q", part)
		}
		switch u.Scheme {
		case "http", "https", "socks5":
		default:
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "proxy %q: scheme must be http, https or socks5", u.Redacted())
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// ParseStrategy reads a strategy name with WAREST's aliases; "" means the default
// for n proxies.
func ParseStrategy(raw string, n int) (Strategy, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "":
		return Defaults(n).Strategy, nil
	case "failover", "primary":
		return Failover, nil
	case "round_robin", "round-robin", "rr":
		return RoundRobin, nil
	case "random", "rand":
		return Random, nil
	}
	return "", fault.Invalid(fault.ReasonInvalidParameter, "unknown proxy strategy %q", raw)
}

type entry struct {
	url       string
	failures  int
	coolUntil time.Time
}

// Pool assigns proxies to sessions. It is safe for concurrent use.
type Pool struct {
	cfg  Config
	intn func(n int) int // uniform in [0, n)

	mu       sync.Mutex
	entries  []*entry
	cursor   int
	assigned map[string]*entry
}

// NewPool builds a pool; intn supplies randomness for the random strategy.
func NewPool(cfg Config, intn func(n int) int) (*Pool, error) {
	def := Defaults(len(cfg.URLs))
	if cfg.Strategy == "" {
		cfg.Strategy = def.Strategy
	}
	if cfg.RotateAfter <= 0 {
		cfg.RotateAfter = def.RotateAfter
	}
	if cfg.Cooloff <= 0 {
		cfg.Cooloff = def.Cooloff
	}
	if cfg.Multiplier <= 0 {
		cfg.Multiplier = def.Multiplier
	}
	switch cfg.Strategy {
	case Failover, RoundRobin, Random:
	default:
		return nil, fmt.Errorf("proxy: unknown strategy %q", cfg.Strategy)
	}
	p := &Pool{cfg: cfg, intn: intn, assigned: map[string]*entry{}}
	for _, u := range cfg.URLs {
		p.entries = append(p.entries, &entry{url: u})
	}
	return p, nil
}

// Enabled reports whether any proxy is configured.
func (p *Pool) Enabled() bool { return p != nil && len(p.entries) > 0 }

// Config returns the effective policy.
func (p *Pool) Config() Config { return p.cfg }

// Pick returns the proxy for the session's next connection, "" when the pool is empty.
// A sticky session keeps its proxy unless it is cooling; otherwise the strategy picks
// among the proxies that are not cooling, and if all are, the first one is used anyway.
func (p *Pool) Pick(sessionID string, now time.Time) string {
	if !p.Enabled() {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.assigned[sessionID]; ok && p.cfg.Sticky && !e.cooling(now) {
		return e.url
	}
	var ready []int
	for i, e := range p.entries {
		if !e.cooling(now) {
			ready = append(ready, i)
		}
	}
	chosen := p.entries[0]
	if len(ready) > 0 {
		switch p.cfg.Strategy {
		case Failover:
			chosen = p.entries[ready[0]]
		case RoundRobin:
			chosen = p.nextFromCursor(now)
		case Random:
			chosen = p.entries[ready[p.intn(len(ready))]]
		}
	}
	p.assigned[sessionID] = chosen
	return chosen.url
}

// nextFromCursor returns the first proxy at or after the shared cursor that is not
// cooling, and moves the cursor past it. Caller holds p.mu and knows one is ready.
func (p *Pool) nextFromCursor(now time.Time) *entry {
	n := len(p.entries)
	for k := range n {
		i := (p.cursor + k) % n
		if !p.entries[i].cooling(now) {
			p.cursor = (i + 1) % n
			return p.entries[i]
		}
	}
	return p.entries[0]
}

// ReportFailure records that a connection through proxyURL closed for a reason other
// than logout or replacement: the proxy cools for Cooloff × min(Multiplier, failures),
// and the session leaves it when not sticky or after RotateAfter failures.
func (p *Pool) ReportFailure(sessionID, proxyURL string, now time.Time) {
	if !p.Enabled() || proxyURL == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.find(proxyURL)
	if e == nil {
		return
	}
	e.failures++
	e.coolUntil = now.Add(p.cfg.Cooloff * time.Duration(min(p.cfg.Multiplier, e.failures)))
	if !p.cfg.Sticky || e.failures >= p.cfg.RotateAfter {
		if p.assigned[sessionID] == e {
			delete(p.assigned, sessionID)
		}
	}
}

// Health is one proxy's standing: its failures since it last worked and whether
// it is cooling off. URL carries no credentials.
type Health struct {
	URL      string
	Failures int
	Cooling  bool
}

// Health reports every proxy's standing at now, in configured order.
func (p *Pool) Health(now time.Time) []Health {
	if !p.Enabled() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Health, len(p.entries))
	for i, e := range p.entries {
		out[i] = Health{URL: withoutCredentials(e.url), Failures: e.failures, Cooling: now.Before(e.coolUntil)}
	}
	return out
}

// withoutCredentials drops a URL's user and password, which may not be shown.
func withoutCredentials(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable proxy URL)"
	}
	u.User = nil
	return u.String()
}

// ReportSuccess records an opened connection: the proxy's failure count resets.
func (p *Pool) ReportSuccess(proxyURL string) {
	if !p.Enabled() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.find(proxyURL); e != nil {
		e.failures, e.coolUntil = 0, time.Time{}
	}
}

// Release forgets the session's assignment (the session stopped).
func (p *Pool) Release(sessionID string) {
	if !p.Enabled() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.assigned, sessionID)
}

func (p *Pool) find(u string) *entry {
	for _, e := range p.entries {
		if e.url == u {
			return e
		}
	}
	return nil
}

func (e *entry) cooling(now time.Time) bool { return now.Before(e.coolUntil) }
