package whatsmeow

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	_ "github.com/warest-go/warest/adapters/whatsmeow/quietsignal" // libsignal is used on many goroutines
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// handle is the client's event handler. It returns only after the sink stored what
// the event maps to; with SynchronousAck, returning false withholds WhatsApp's ack so
// the server redelivers the event later.
func (r *runner) handle(evt any) bool {
	r.observe(evt)
	r.learnName(evt)
	switch evt.(type) {
	case *events.AppStateSyncComplete, *events.PushNameSetting:
		return true // nothing to report; whatsmeow may delete the store meanwhile, so do not read it
	case *events.ManualLoginReconnect:
		// Nothing to report either, and the pairing goroutine may still be writing the store.
		sig, _ := toSignal(evt)
		r.signal(sig)
		return true
	}
	sig, steers := toSignal(evt)
	switch evt.(type) {
	case *events.PairSuccess, *events.PairError:
		defer r.pairingEnded() // after the loop got any signal of it
	}
	switch e := evt.(type) {
	case *events.QR:
		r.showQR(e.Codes)
		return true
	case *events.PairSuccess:
		r.stopQR()
		// The device JID keeps its device number: the device store is keyed by it.
		if err := r.t.devices.put(context.WithoutCancel(r.ctx), r.id, e.ID); err != nil {
			r.t.log.ErrorContext(r.ctx, "could not record the paired device", "session", r.id, "err", err)
			return false
		}
	case *events.Connected:
		// whatsmeow handles a pair-success on a goroutine of its own, racing the
		// login that follows: record the link (again) before the session is
		// reported connected, so a stop or crash right after cannot lose the pairing.
		if err := r.recordDevice(); err != nil {
			r.t.log.ErrorContext(r.ctx, "could not record the linked device", "session", r.id, "err", err)
		}
	case *events.MediaRetry:
		r.retries.deliver(e)
		return true
	case *events.LoggedOut:
		// whatsmeow deletes the device; forget our link to it.
		if err := r.t.devices.remove(r.ctx, r.id); err != nil {
			r.t.log.WarnContext(r.ctx, "could not forget the logged out device", "session", r.id, "err", err)
		}
		r.mu.Lock()
		r.loggedOut = true
		r.mu.Unlock()
		sig, steers = r.afterLogout(), true
	}
	if steers && sig.kind == sigStop {
		// Mark the session ended before the sink hears why: a Start it answers
		// with must begin a new run, not find this one still winding down.
		r.ending.Store(true)
	}
	v := r.view(evt)
	for _, out := range toEvents(v, evt) {
		if !r.deliver(out) {
			r.ending.Store(false) // the loop is not told, so it goes on
			return false
		}
		switch o := out.(type) {
		case ports.TransportMessage:
			if o.Message.Content.Poll != nil {
				r.polls.remember(o.Message.ID, o.Message.Content.Poll.Options)
			}
		case ports.TransportCall:
			r.calls.note(o)
		}
	}
	if steers {
		r.signal(sig)
	}
	return true
}

// deliver hands one event to the sink, offering it again with backoff while the
// sink refuses it: later events wait behind it, so nothing is reordered, and
// WhatsApp gets no ack meanwhile. It gives up only when the session stops.
func (r *runner) deliver(out ports.TransportEvent) bool {
	for attempt := 1; ; attempt++ {
		err := r.sink.Handle(r.ctx, out)
		if err == nil {
			return true
		}
		if r.ctx.Err() != nil {
			return false
		}
		wait := r.t.cfg.Backoff.delay(attempt, spread())
		r.t.log.WarnContext(r.ctx, "sink failed; withholding the ack and offering the event again", "session", r.id,
			"event", eventName(out), "attempt", attempt, "retry_in", wait, "err", err)
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-r.ctx.Done():
			timer.Stop()
			return false
		}
	}
}

// afterLogout restarts with a fresh device (new QR codes) when configured, else stops.
func (r *runner) afterLogout() signal {
	if r.t.cfg.ReloginQR {
		return signal{kind: sigRestart, code: "logged_out", reason: "logged out"}
	}
	return signal{kind: sigStop, code: "logged_out", reason: "logged out"}
}

// observe feeds the watchdog: any inbound event proves the link works; keepalive
// events say whether the server still answers.
func (r *runner) observe(evt any) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := evt.(type) {
	case *events.KeepAliveTimeout:
		r.vit.keepAliveFail = latest(e.LastSuccess, time.Unix(0, 1))
	case *events.KeepAliveRestored:
		r.vit.keepAliveFail = time.Time{}
		r.vit.lastInbound = now
	case *events.Message, *events.Receipt, *events.Presence, *events.ChatPresence, *events.GroupInfo, *events.UndecryptableMessage:
		r.vit.lastInbound = now
	}
}

// view gathers what mapping needs from the client: who we are, the LID store, and
// the decrypted vote of a poll update.
func (r *runner) view(evt any) view {
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	v := view{session: r.id, now: time.Now(), historyMax: r.t.cfg.HistoryMax, pollOptions: r.polls.options}
	// whatsmeow deletes the device while it reports a logout: its store is not
	// to be read then, and the logout needs nothing from it.
	if _, out := evt.(*events.LoggedOut); cli == nil || out {
		return v
	}
	v.me = identity(cli, r.name.get())
	if lids := cli.Store.LIDs; lids != nil {
		ctx := r.ctx
		v.alt = func(j types.JID) types.JID {
			var alt types.JID
			switch j.Server {
			case types.HiddenUserServer:
				alt, _ = lids.GetPNForLID(ctx, j)
			case types.DefaultUserServer:
				alt, _ = lids.GetLIDForPN(ctx, j)
			}
			return alt
		}
	}
	if m, ok := evt.(*events.Message); ok && m.Message.GetPollUpdateMessage() != nil {
		if vote, err := cli.DecryptPollVote(r.ctx, m); err == nil {
			v.vote = vote
		} else {
			r.t.log.DebugContext(r.ctx, "could not decrypt a poll vote", "session", r.id, "err", err)
		}
	}
	return v
}

// identity is the linked account as the client's store knows it, named name (see pushName).
func identity(cli *wm.Client, name string) session.Identity {
	var me session.Identity
	if id := cli.Store.ID; id != nil {
		me.JID = toDomain(*id).String()
	}
	if !cli.Store.LID.IsEmpty() {
		me.LID = toDomain(cli.Store.LID).String()
	}
	me.Name = name
	return me
}

// eventName names a transport event for logs.
func eventName(e ports.TransportEvent) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", e), "ports.")
}

// waLogger adapts whatsmeow's logger to slog. whatsmeow's info chatter goes to debug.
type waLogger struct{ l *slog.Logger }

func (w waLogger) Errorf(msg string, args ...any) { w.log(slog.LevelError, msg, args) }
func (w waLogger) Warnf(msg string, args ...any)  { w.log(slog.LevelWarn, msg, args) }
func (w waLogger) Infof(msg string, args ...any)  { w.log(slog.LevelDebug, msg, args) }
func (w waLogger) Debugf(msg string, args ...any) { w.log(slog.LevelDebug, msg, args) }
func (w waLogger) Sub(module string) waLog.Logger { return waLogger{w.l.With("module", module)} }

func (w waLogger) log(level slog.Level, msg string, args []any) {
	if w.l.Enabled(context.Background(), level) {
		w.l.Log(context.Background(), level, fmt.Sprintf(msg, args...))
	}
}

// recordDevice records the client's device as the session's link: a stopped
// session's context must not cut the write short.
func (r *runner) recordDevice() error {
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	if cli == nil || cli.Store.ID == nil {
		return nil
	}
	return r.t.devices.put(context.WithoutCancel(r.ctx), r.id, *cli.Store.ID)
}
