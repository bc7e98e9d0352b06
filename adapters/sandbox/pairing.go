package sandbox

import (
	"context"
	"fmt"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

type qrState struct {
	code     string
	issuedAt time.Time
}

type pairCodeState struct {
	code  string // normalised, without dash
	phone string
}

// showQR emits the first QR now and rotates it every QRInterval until the session
// pairs or stops. Caller holds n.mu.
func (n *Network) showQR(st *sessionState, c *client) {
	qrCtx, stopQR := context.WithCancel(c.conn)
	c.stopQR = stopQR
	n.issueQR(st)
	n.goroutines.Add(1)
	go n.rotateQR(qrCtx, st, c)
}

func (n *Network) rotateQR(ctx context.Context, st *sessionState, c *client) {
	defer n.goroutines.Done()
	tick := time.NewTicker(n.cfg.QRInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n.mu.Lock()
		if st.client == c && st.me == nil {
			n.issueQR(st)
		}
		n.mu.Unlock()
	}
}

// issueQR replaces the session's QR; the previous one stops being scannable.
// Caller holds n.mu.
func (n *Network) issueQR(st *sessionState) {
	st.qrCount++
	st.qr = qrState{
		code:     fmt.Sprintf("sandbox-qr:%s:%d:%s", st.id, st.qrCount, n.randomHex(4)),
		issuedAt: n.clock.Now(),
	}
	n.enqueue(st, ports.TransportQR{SessionID: st.id, Code: st.qr.code, ExpiresIn: n.cfg.QRTTL})
}

func (n *Network) qrValid(st *sessionState) bool {
	return st.qr.code != "" && n.clock.Now().Before(st.qr.issuedAt.Add(n.cfg.QRTTL))
}

// CurrentQR returns the session's scannable QR code, if it shows one.
func (n *Network) CurrentQR(sessionID string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, ok := n.sessions[sessionID]
	if !ok || st.client == nil || st.me != nil || !n.qrValid(st) {
		return "", false
	}
	return st.qr.code, true
}

// Scan is a phone scanning the session's QR: only the current, unexpired code works.
func (n *Network) Scan(sessionID, qrCode, phone, pushName string) error {
	digits, err := parsePhone(phone)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.pairable(sessionID)
	if err != nil {
		return err
	}
	if qrCode != st.qr.code || !n.qrValid(st) {
		return fault.Invalid(fault.ReasonInvalidParameter, "QR code expired or unknown")
	}
	return n.pair(st, digits, pushName)
}

// PairPhone issues an 8-character code that ConfirmPairCode accepts for phone.
func (n *Network) PairPhone(ctx context.Context, sessionID, phone string) (string, error) {
	digits, err := parsePhone(phone)
	if err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.pairable(sessionID)
	if err != nil {
		return "", err
	}
	if st.client.id != clientOf(ctx) {
		return "", notRunningHere(sessionID)
	}
	code := n.newPairCode()
	st.pairCode = pairCodeState{code: code, phone: digits}
	return code[:4] + "-" + code[4:], nil
}

// ConfirmPairCode is the phone entering the pair code; the push name is the one the
// phone already has, if any.
func (n *Network) ConfirmPairCode(sessionID, code string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.pairable(sessionID)
	if err != nil {
		return err
	}
	if st.pairCode.code == "" || normalizePairCode(code) != st.pairCode.code {
		return fault.Invalid(fault.ReasonInvalidParameter, "pair code expired or unknown")
	}
	return n.pair(st, st.pairCode.phone, "")
}

// pairable returns a started, unpaired session. Caller holds n.mu.
func (n *Network) pairable(sessionID string) (*sessionState, error) {
	st, ok := n.sessions[sessionID]
	switch {
	case !ok || st.client == nil:
		return nil, fault.FailedPrecondition(fault.ReasonInvalidState, "session %s is not started", sessionID)
	case st.me != nil:
		return nil, fault.FailedPrecondition(fault.ReasonInvalidState, "session %s is already paired", sessionID)
	}
	return st, nil
}

// pair links phone to the session and connects it. A phone links to one session
// at a time, so messages to it have exactly one destination. Caller holds n.mu.
func (n *Network) pair(st *sessionState, phone, pushName string) error {
	p := n.person(phone)
	if p.session != nil && p.session != st {
		return fault.Conflict(fault.ReasonInvalidState, "phone %s is already linked to session %s", phone, p.session.id)
	}
	if p.unregistered {
		return fault.Invalid(fault.ReasonInvalidParameter, "phone %s is not on WhatsApp", phone)
	}
	if pushName != "" {
		p.name = pushName
	}
	st.me, p.session = p, st
	st.qr, st.pairCode = qrState{}, pairCodeState{}
	st.client.stopQR()
	n.enqueue(st, ports.TransportPaired{SessionID: st.id, Me: p.identity(), Platform: platform})
	n.connect(st)
	return nil
}

// platform is what Device and TransportPaired report for every sandbox phone.
const platform = "sandbox"
