package whatsmeow

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	signallog "go.mau.fi/libsignal/logger"
	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// handle is the client's event handler. It returns only after the sink stored what
// the event maps to; with SynchronousAck, returning false withholds WhatsApp's ack so
// the server redelivers the event later.
func (r *runner) handle(evt any) bool {
	r.observe(evt)
	switch e := evt.(type) {
	case *events.QR:
		r.showQR(e.Codes)
		return true
	case *events.PairSuccess:
		r.stopQR()
		if err := r.t.devices.put(r.ctx, r.id, e.ID.ToNonAD()); err != nil {
			r.t.log.ErrorContext(r.ctx, "could not record the paired device", "session", r.id, "err", err)
			return false
		}
	case *events.MediaRetry:
		r.retries.deliver(e)
		return true
	case *events.LoggedOut:
		// whatsmeow already deleted the device; forget our link to it.
		if err := r.t.devices.remove(r.ctx, r.id); err != nil {
			r.t.log.WarnContext(r.ctx, "could not forget the logged out device", "session", r.id, "err", err)
		}
	}
	v := r.view(evt)
	for _, out := range toEvents(v, evt) {
		if err := r.sink.Handle(r.ctx, out); err != nil {
			if r.ctx.Err() == nil {
				r.t.log.WarnContext(r.ctx, "sink failed; withholding the ack", "session", r.id, "event", eventName(out), "err", err)
			}
			return false
		}
		if m, ok := out.(ports.TransportMessage); ok && m.Message.Content.Poll != nil {
			r.polls.remember(m.Message.ID, m.Message.Content.Poll.Options)
		}
	}
	if sig, ok := toSignal(evt); ok {
		r.signal(sig)
	} else if _, ok := evt.(*events.LoggedOut); ok {
		r.signal(r.afterLogout())
	}
	return true
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
	if cli == nil {
		return v
	}
	v.me = identity(cli)
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

// identity is the linked account as the client's store knows it.
func identity(cli *wm.Client) session.Identity {
	var me session.Identity
	if id := cli.Store.ID; id != nil {
		me.JID = toDomain(*id).String()
	}
	if !cli.Store.LID.IsEmpty() {
		me.LID = toDomain(cli.Store.LID).String()
	}
	me.Name = cli.Store.PushName
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

// libsignal logs through a package global it sets lazily and racily on first use;
// setting it once up front avoids the race (its debug output is of no use to us).
var quietSignal = sync.OnceFunc(func() {
	var l signallog.Loggable = signalDiscard{}
	signallog.Setup(&l)
})

type signalDiscard struct{}

func (signalDiscard) Debug(string, string)   {}
func (signalDiscard) Info(string, string)    {}
func (signalDiscard) Warning(string, string) {}
func (signalDiscard) Error(string, string)   {}
func (signalDiscard) Configure(string)       {}
