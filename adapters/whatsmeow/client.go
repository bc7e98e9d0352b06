package whatsmeow

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	wm "go.mau.fi/whatsmeow"

	"github.com/warest-go/warest/ports"
)

// runner owns one session's client and its connection loop.
type runner struct {
	t       *Transport
	id      string
	sink    ports.TransportSink
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	signals chan signal
	paired  chan struct{} // whatsmeow's pairing goroutine ended (PairSuccess or PairError)
	polls   *pollBook
	calls   *callBook      // calls offered, for RejectCall
	retries *retryBook     // media downloads waiting for a re-upload
	name    *pushName      // the account's push name (pushname.go)
	wg      sync.WaitGroup // QR rotation
	ending  atomic.Bool    // the run ends by itself (replaced, logged out)

	mu        sync.Mutex
	cli       *wm.Client
	proxyURL  string
	vit       vitals
	qrStop    context.CancelFunc
	loggedOut bool          // the device was unlinked; whatsmeow deletes it in the background
	preLogin  chan struct{} // closed once the unpaired connection shows a QR code
}

func newRunner(t *Transport, id string, sink ports.TransportSink) *runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &runner{t: t, id: id, sink: sink, ctx: ctx, cancel: cancel, done: make(chan struct{}),
		signals: make(chan signal, 16), paired: make(chan struct{}, 1), polls: newPollBook(), calls: newCallBook(), retries: newRetryBook(), name: newPushName(), preLogin: make(chan struct{})}
}

func (r *runner) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// stop cancels the loop and waits for it to finish.
func (r *runner) stop(ctx context.Context) error {
	r.cancel()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run connects, watches and reconnects with backoff until stopped or replaced.
func (r *runner) run() {
	defer close(r.done)
	defer r.shutdown()
	attempt := 0
	for {
		sig := r.connectOnce(&attempt)
		if r.ctx.Err() != nil {
			return
		}
		switch sig.kind {
		case sigStop:
			return
		case sigRestart:
			attempt = 0
			continue
		}
		attempt++
		r.t.proxies.ReportFailure(r.id, r.currentProxy(), time.Now())
		wait := max(r.t.cfg.Backoff.delay(attempt, spread()), sig.minDelay)
		r.t.log.InfoContext(r.ctx, "whatsapp connection lost; retrying", "session", r.id, "code", sig.code, "attempt", attempt, "retry_in", wait)
		r.emit(ports.TransportDisconnected{SessionID: r.id, Reason: sig.reason, Code: sig.code, Attempt: attempt, RetryIn: wait})
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-r.ctx.Done():
			timer.Stop()
			return
		}
	}
}

// connectOnce makes one connection and watches it until it must be replaced.
func (r *runner) connectOnce(attempt *int) signal {
	cli, err := r.client()
	if err != nil {
		return signal{kind: sigRetry, code: "store", reason: err.Error()}
	}
	r.drainSignals()
	// Read before connecting: once connected, a pairing writes the store's ID.
	paired := cli.Store.ID != nil
	// The socket lives on the context it was dialled with. Stopping the session
	// cancels a dial, but never an open socket: only Disconnect below closes that,
	// as a cancel would close it from whatsmeow's read loop at the same moment (a
	// data race inside whatsmeow's socket).
	connCtx, closed := context.WithCancel(context.WithoutCancel(r.ctx))
	defer closed()
	dialing := context.AfterFunc(r.ctx, closed)
	err = cli.ConnectContext(connCtx)
	dialing()
	if err != nil {
		code, reason := classify(err)
		return signal{kind: sigRetry, code: code, reason: reason}
	}
	r.mu.Lock()
	r.vit = vitals{connectedAt: time.Now(), paired: paired}
	r.mu.Unlock()
	sig := r.watch(cli, attempt)
	cli.Disconnect()
	r.stopQR()
	return sig
}

// watch waits for a connection change, and checks the connection's vitals meanwhile.
func (r *runner) watch(cli *wm.Client, attempt *int) signal {
	tick := time.NewTicker(r.t.cfg.Watchdog / 4)
	defer tick.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return signal{kind: sigStop}
		case s := <-r.signals:
			if s.kind == sigRestart && s.code == codeRelogin && !r.connectedPaired() {
				r.awaitPairing()
			}
			if s.kind != sigConnected {
				return s
			}
			*attempt = 0
			r.t.proxies.ReportSuccess(r.currentProxy())
		case now := <-tick.C:
			r.mu.Lock()
			v := r.vit
			r.mu.Unlock()
			v.socketUp, v.loggedIn = cli.IsConnected(), cli.IsLoggedIn()
			if code, reason, dead := diagnose(v, now, r.t.cfg.Watchdog); dead {
				return signal{kind: sigRetry, code: code, reason: reason}
			}
		}
	}
}

// client returns the session's client, building it (and loading or creating its
// device) the first time and after the device was deleted; the proxy is chosen anew
// for every connection.
func (r *runner) client() (*wm.Client, error) {
	r.mu.Lock()
	cli, loggedOut := r.cli, r.loggedOut
	r.loggedOut = false
	r.mu.Unlock()
	// After a logout the old device is being deleted while we get here: waiting
	// for its Deleted flag would race, so take a new one at once.
	if cli == nil || loggedOut || cli.Store.Deleted {
		dev, err := r.t.storedDevice(r.ctx, r.id)
		if err != nil {
			return nil, err
		}
		if dev == nil {
			dev = r.t.container.NewDevice()
		}
		r.name.reset(dev.PushName) // read before the client runs: nothing writes it yet
		cli = wm.NewClient(dev, waLogger{r.t.log.With("session", r.id)})
		cli.EnableAutoReconnect = false // our loop reconnects, with backoff and events
		// After pairing WhatsApp asks for a new connection (stream error 515);
		// whatsmeow would make it on a goroutine of its own, racing our loop's
		// Disconnect and ConnectContext on the same client: our loop makes it.
		cli.DisableLoginAutoReconnect = true
		cli.SynchronousAck = true // acks wait for the sink (see handle)
		cli.AutomaticMessageRerequestFromPhone = true
		cli.AddEventHandlerWithSuccessStatus(r.handle)
	}
	proxyURL := r.t.proxies.Pick(r.id, time.Now())
	if err := r.t.route(cli, proxyURL); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cli, r.proxyURL = cli, proxyURL
	r.mu.Unlock()
	return cli, nil
}

// route sends the client's websocket through proxyURL, or directly ("" ); media
// downloads and uploads never use the proxy, as in WAREST.
func (t *Transport) route(cli *wm.Client, proxyURL string) error {
	if t.cfg.TestServer != nil {
		t.cfg.TestServer.route(cli)
		return nil
	}
	if proxyURL != "" {
		return cli.SetProxyAddress(proxyURL, wm.SetProxyOptions{NoMedia: true})
	}
	if t.cfg.dial != nil {
		hc := &http.Client{Transport: &http.Transport{DialContext: t.cfg.dial}}
		cli.SetWebsocketHTTPClient(hc)
		cli.SetPreLoginHTTPClient(hc)
		return nil
	}
	cli.SetProxy(http.ProxyFromEnvironment, wm.SetProxyOptions{NoMedia: true})
	return nil
}

func (r *runner) currentProxy() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proxyURL
}

// connected returns the client when it is logged in.
func (r *runner) connected() (*wm.Client, bool) {
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	return cli, cli != nil && cli.IsLoggedIn()
}

// signal hands a connection change to the loop without ever blocking whatsmeow.
func (r *runner) signal(s signal) {
	select {
	case r.signals <- s:
	default:
		r.t.log.WarnContext(r.ctx, "dropping connection signal: loop busy", "session", r.id, "code", s.code)
	}
}

// drainSignals discards signals about a previous connection.
func (r *runner) drainSignals() {
	for {
		select {
		case <-r.signals:
		case <-r.paired:
		default:
			return
		}
	}
}

// pairingEnded tells the loop whatsmeow's pairing goroutine is done.
func (r *runner) pairingEnded() {
	select {
	case r.paired <- struct{}{}:
	default:
	}
}

// pairingGrace bounds awaitPairing: the pairing goroutine only writes the device
// store and sends one answer.
const pairingGrace = 10 * time.Second

// connectedPaired says whether the current connection was made with a paired device.
func (r *runner) connectedPaired() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.vit.paired
}

// awaitPairing holds a connection that was pairing, after the server asked for a new
// login (515), until whatsmeow's pairing goroutine is done: that goroutine may not
// yet have answered pair-success on this connection, and closing it first fails the
// answer (whatsmeow then deletes the new device and reports a PairError).
func (r *runner) awaitPairing() {
	timer := time.NewTimer(pairingGrace)
	defer timer.Stop()
	select {
	case <-r.paired:
	case <-timer.C:
	case <-r.ctx.Done():
	}
}

// emit reports an event the loop itself produces; nothing is acked on it, so a sink
// error is only logged.
func (r *runner) emit(e ports.TransportEvent) {
	if r.ctx.Err() != nil {
		return
	}
	if err := r.sink.Handle(r.ctx, e); err != nil && r.ctx.Err() == nil {
		r.t.log.WarnContext(r.ctx, "sink refused a transport event", "session", r.id, "event", eventName(e), "err", err)
	}
}

func (r *runner) shutdown() {
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	if cli != nil {
		cli.Disconnect()
	}
	r.stopQR()
	r.wg.Wait()
	r.t.proxies.Release(r.id)
}
