package whatsmeow

import (
	"context"
	"sync"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/domain/fault"
)

// pushNameWait bounds how long a presence or app state change waits for the
// account's name: a new link learns it from the phone's app state (after the
// key that app state needs) within seconds of its first login, longer on a
// loaded host.
const pushNameWait = time.Minute

// pushName is the account's name as the session knows it. whatsmeow writes
// Store.PushName from its app state sync goroutine without a lock, so the
// adapter reads that field only where the write is known to be done: when the
// device is loaded, before it connects, and in the handler of the events
// whatsmeow dispatches after the write (AppStateSyncComplete for critical_block,
// which carries the name; PushNameSetting). Everyone else reads this copy.
type pushName struct {
	mu     sync.Mutex
	name   string
	known  chan struct{} // closed once name is set
	synced chan struct{} // closed once the first sync of every collection is done
}

func newPushName() *pushName {
	return &pushName{known: make(chan struct{}), synced: make(chan struct{})}
}

// reset starts over with a newly loaded device's name.
func (p *pushName) reset(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.known, p.synced = "", make(chan struct{}), make(chan struct{})
	p.setLocked(name)
}

func (p *pushName) set(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setLocked(name)
}

func (p *pushName) setLocked(name string) {
	if name == "" {
		return
	}
	if p.name == "" {
		close(p.known)
	}
	p.name = name
}

func (p *pushName) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.name
}

// wait returns the name once known: whatsmeow sends no presence without it, and
// once it is known the app state key has arrived too.
func (p *pushName) wait(ctx context.Context) (string, error) {
	p.mu.Lock()
	known := p.known
	p.mu.Unlock()
	if err := awaitClosed(ctx, known); err != nil {
		return "", err
	}
	return p.get(), nil
}

// settled waits (bounded as wait) until the client's first app state sync is
// done: whatsmeow syncs in background goroutines that read the device store, so
// it must not be deleted meanwhile.
func (p *pushName) settled(ctx context.Context) {
	p.mu.Lock()
	synced := p.synced
	p.mu.Unlock()
	_ = awaitClosed(ctx, synced)
}

// awaitClosed waits until ch is closed, at most pushNameWait and while ctx lasts.
func awaitClosed(ctx context.Context, ch <-chan struct{}) error {
	timer := time.NewTimer(pushNameWait)
	defer timer.Stop()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fault.New(fault.KindUnavailable, "", "the account's app state (its name, its key) has not arrived from the phone yet")
	}
}

// learn takes the name from the client's store after whatsmeow wrote it (see pushName).
func (p *pushName) learn(cli *wm.Client, evt any) {
	switch e := evt.(type) {
	case *events.AppStateSyncComplete:
		if e.Name == appstate.WAPatchCriticalBlock {
			p.set(cli.Store.PushName)
		}
		if e.Name == appstate.AllPatchNames[len(appstate.AllPatchNames)-1] { // whatsmeow syncs them in this order
			p.mu.Lock()
			select {
			case <-p.synced:
			default:
				close(p.synced)
			}
			p.mu.Unlock()
		}
	case *events.PushNameSetting:
		p.set(e.Action.GetName())
	}
}

// learnName feeds the session's pushName from the client's events.
func (r *runner) learnName(evt any) {
	r.mu.Lock()
	cli := r.cli
	r.mu.Unlock()
	if cli != nil {
		r.name.learn(cli, evt)
	}
}
