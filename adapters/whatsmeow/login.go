package whatsmeow

import (
	"context"
	"time"

	wm "go.mau.fi/whatsmeow"

	"github.com/warest-go/warest/ports"
)

// whatsappQRTTL is how long WhatsApp honours each code of a batch: 60 s for the
// first, 20 s for the rest (whatsmeow's QR channel uses the same schedule).
func whatsappQRTTL(i int) time.Duration {
	if i == 0 {
		return 60 * time.Second
	}
	return 20 * time.Second
}

// showQR publishes a batch of login codes one after another, each replacing the last.
// When the batch runs out the loop reconnects at once for a fresh one.
func (r *runner) showQR(codes []string) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.mu.Lock()
	if r.qrStop != nil {
		r.qrStop()
	}
	r.qrStop = cancel
	select {
	case <-r.preLogin:
	default:
		close(r.preLogin)
	}
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for i, code := range codes {
			ttl := r.t.cfg.qrTTL(i)
			r.emit(ports.TransportQR{SessionID: r.id, Code: code, ExpiresIn: ttl})
			timer := time.NewTimer(ttl)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return
			}
		}
		r.signal(signal{kind: sigRestart, code: "qr_timeout", reason: "the QR codes expired"})
	}()
}

// stopQR ends the QR rotation (paired, disconnected or stopped); a new pre-login
// connection must show a QR code again before a pair code can be asked for.
func (r *runner) stopQR() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.qrStop != nil {
		r.qrStop()
		r.qrStop = nil
		r.preLogin = make(chan struct{})
	}
}

// pairPhone waits for the pre-login connection, then asks for a pair code.
func (r *runner) pairPhone(ctx context.Context, phone string) (string, error) {
	r.mu.Lock()
	ready := r.preLogin
	r.mu.Unlock()
	select {
	case <-ready:
	case <-ctx.Done():
		return "", ctx.Err()
	case <-r.done:
		return "", context.Canceled
	}
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	return cli.PairPhone(ctx, phone, true, wm.PairClientChrome, "Chrome (Linux)")
}
