package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MirrorConfig tunes inbound media mirroring.
type MirrorConfig struct {
	Policy media.MirrorPolicy
	// Wait is how long a message_received delivery waits for its media's mirror
	// before it goes with WhatsApp's CDN fields instead.
	Wait time.Duration
	// Timeout bounds one download and store.
	Timeout time.Duration
	// LinkTTL is how long the signed link in the webhook works.
	LinkTTL time.Duration
	Workers int // parallel downloads
}

// mirrorKeep is how long a finished mirror is remembered, so retried deliveries of
// its event find it without downloading again.
const mirrorKeep = time.Hour

// Mirror copies received media into the blob store off the ingest path: the
// webhook scheduler starts a copy when a message_received event is published, and
// its delivery waits at most Wait for it. A slow or failed download delays only
// that event's line, never ingest, and never by more than Wait.
type Mirror struct {
	cfg   MirrorConfig
	dl    ports.MediaDownloader
	blobs ports.BlobStore
	links ports.BlobLinks
	clock ports.Clock
	log   *slog.Logger
	queue chan *mirrorJob

	mu   sync.Mutex
	jobs map[string]*mirrorJob // by blob key
}

type mirrorJob struct {
	key       string
	sessionID string
	msg       event.InboundMessage
	done      chan struct{}
	err       error     // set before done closes
	finished  time.Time // set before done closes
}

func NewMirror(cfg MirrorConfig, dl ports.MediaDownloader, blobs ports.BlobStore, links ports.BlobLinks, clock ports.Clock, log *slog.Logger) *Mirror {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = 15 * time.Minute
	}
	return &Mirror{cfg: cfg, dl: dl, blobs: blobs, links: links, clock: clock, log: log,
		queue: make(chan *mirrorJob, 1024), jobs: map[string]*mirrorJob{}}
}

// Run downloads queued media until ctx ends.
func (m *Mirror) Run(ctx context.Context) {
	var workers sync.WaitGroup
	for range m.cfg.Workers {
		workers.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-m.queue:
					m.copy(ctx, j)
				}
			}
		})
	}
	workers.Wait()
}

// Start begins mirroring the media of a message_received event, if it has any the
// policy allows; it never blocks.
func (m *Mirror) Start(e event.Envelope) {
	_, _ = m.job(e)
}

// Attach returns e with its media's mirror (key, driver, signed link) once mirrored,
// waiting for a copy in progress up to Wait; otherwise e unchanged.
func (m *Mirror) Attach(ctx context.Context, e event.Envelope) event.Envelope {
	j, msg := m.job(e)
	if j == nil {
		return e
	}
	wait := time.NewTimer(m.cfg.Wait)
	defer wait.Stop()
	select {
	case <-j.done:
	case <-wait.C:
		m.log.WarnContext(ctx, "media mirror: not ready in time, the webhook carries WhatsApp's URL", "event", e.ID, "key", j.key)
		return e
	case <-ctx.Done():
		return e
	}
	if j.err != nil {
		return e
	}
	link, err := m.links.SignedURL(ctx, j.key, m.cfg.LinkTTL)
	if err != nil {
		m.log.ErrorContext(ctx, "media mirror: sign link", "key", j.key, "err", err)
		return e
	}
	med := *msg.Content.Media
	med.Mirror = &message.Mirror{Key: j.key, Driver: m.links.Driver(), URL: link}
	msg.Content.Media = &med
	payload, err := event.Encode(e.Type, msg)
	if err != nil {
		return e
	}
	e.Payload = payload
	return e
}

// job finds or queues the copy of e's media; nil when it has none to mirror.
func (m *Mirror) job(e event.Envelope) (*mirrorJob, event.InboundMessage) {
	if e.Type != event.MessageReceived {
		return nil, event.InboundMessage{}
	}
	d, err := e.Data()
	msg, ok := d.(event.InboundMessage)
	if err != nil || !ok || msg.Content.Media == nil || !m.cfg.Policy.Allows(msg.Content.Media.MIME) {
		return nil, event.InboundMessage{}
	}
	key := media.MirrorKey(e.SessionID, msg.ID, msg.Content)
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if j, ok := m.jobs[key]; ok && (j.finished.IsZero() || j.err == nil) {
		return j, msg
	}
	for k, j := range m.jobs {
		if !j.finished.IsZero() && now.Sub(j.finished) > mirrorKeep {
			delete(m.jobs, k)
		}
	}
	j := &mirrorJob{key: key, sessionID: e.SessionID, msg: msg, done: make(chan struct{})}
	select {
	case m.queue <- j:
		m.jobs[key] = j
	default:
		j.err, j.finished = errors.New("media mirror: queue full"), now
		close(j.done)
		m.log.Warn("media mirror: queue full, not mirrored", "key", key)
	}
	return j, msg
}

// copy downloads one media file into the blob store.
func (m *Mirror) copy(ctx context.Context, j *mirrorJob) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	err := func() error {
		rc, err := m.dl.DownloadMedia(ctx, message.Inbound{ID: j.msg.ID, SessionID: j.sessionID, Chat: j.msg.Chat,
			Sender: j.msg.Sender, FromMe: j.msg.FromMe, Content: j.msg.Content})
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = m.blobs.Put(ctx, j.key, rc, j.msg.Content.Media.MIME)
		return err
	}()
	if err != nil {
		m.log.WarnContext(ctx, "media mirror: copy failed, the webhook carries WhatsApp's URL", "session", j.sessionID,
			"message", j.msg.ID, "key", j.key, "err", err)
	}
	m.mu.Lock()
	j.err, j.finished = err, m.clock.Now()
	m.mu.Unlock()
	close(j.done)
}
