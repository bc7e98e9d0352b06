// Package application assembles the gateway's use cases and background workers. New
// is the one composition of the application: cmd/warest and every test harness build
// the app with it, so what the tests run is what production runs.
package application

import (
	"context"
	"github.com/warest-go/warest/application/access"
	"log/slog"
	"sync"
	"time"

	"github.com/warest-go/warest/application/cluster"
	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/ingest"
	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/application/webhookaction"
	"github.com/warest-go/warest/application/worker"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// Config tunes the assembly.
type Config struct {
	Commands command.Config
	Webhooks worker.WebhookConfig
	// Mirror copies received media into Blobs (when its policy is enabled and the
	// transport can download media, and Links can link to it).
	Mirror worker.MirrorConfig
	// Cluster makes this node own its sessions through leases in the store, so
	// several nodes can share it; nil: this node runs every session, unfenced.
	Cluster *cluster.Config
}

// Bus carries published events to their subscribers.
type Bus interface {
	ports.EventPublisher
	ports.EventSubscriber
}

// Deps are the ports the application runs on.
type Deps struct {
	Store     ports.Store
	Transport ports.Transport
	QR        ports.QRRenderer
	Sender    ports.WebhookSender
	Renderer  ports.EventRenderer // the wire format of webhook bodies
	Resolver  ports.Resolver      // nil: receivers' names are judged when dialled only
	Clock     ports.Clock
	IDs       ports.IDs
	Log       *slog.Logger
	// Bus carries the relay's events to the webhook scheduler; nil: the relay hands
	// them straight to it (one process).
	Bus Bus
	// Signals carries the hub's wake-ups over the bus (across nodes when it spans
	// them); nil: they stay in process.
	Signals ports.Signals
	// Media sends need these three; other use cases work without them. Without
	// Blobs there is no blob sweeper.
	Blobs      ports.BlobStore
	Links      ports.BlobLinks // signed links to Blobs' objects; nil: no media mirroring
	Fetcher    ports.MediaFetcher
	Transcoder ports.MediaTranscoder
	// Profiles, Contacts, Groups and Calls serve the profile, presence, contact,
	// group and call routes; Groups nil: the transport's own, when it has them.
	Profiles ports.Profiles
	Contacts ports.Contacts
	Groups   ports.Groups
	Calls    ports.Calls
	// QRImages, Phones and Secrets serve the misc utilities; each nil answers 503
	// (Secrets nil: a poll vote needs its pollEncKey).
	QRImages ports.QRImages
	Phones   ports.PhoneNumbers
	Secrets  ports.MessageSecrets
	// Metrics counts sends, deliveries and connection flaps; nil counts nothing.
	Metrics ports.Metrics
	// Tracer spans sends and webhook deliveries; nil traces nothing.
	Tracer ports.Tracer
}

// App is the assembled application. Its workers' tunables may be set between New
// and Start.
type App struct {
	Commands *command.Commands
	Queries  *query.Queries
	Ingest   *ingest.Ingest // the TransportSink
	Hub      *notify.Hub
	Actions  *webhookaction.Actions
	Workers  Workers

	running loops
	log     *slog.Logger
}

// Workers are the named background loops Start runs.
type Workers struct {
	Relay       *worker.Relay
	SendQueue   *worker.SendQueue
	Webhooks    *worker.Webhooks
	BlobSweeper *worker.BlobSweeper // nil without a blob store
	// History forgets chat history past its retention (default: kept forever).
	History     *worker.HistorySweeper
	Mirror      *worker.Mirror      // nil: received media is not mirrored
	TempSweeper *worker.TempSweeper // nil: the blob store cannot expire objects
	// Cluster owns this node's sessions through leases; nil without Config.Cluster.
	Cluster *cluster.Cluster
}

// New builds the application; nothing runs until Start.
func New(cfg Config, d Deps) *App {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	// One setting, read by the commands (when a URL is set) and the dispatcher (when
	// it dials): both must judge receivers alike.
	cfg.Webhooks.PrivateTargets = cfg.Commands.WebhookTargets
	if d.Metrics == nil {
		d.Metrics = ports.NoMetrics{}
	}
	if d.Tracer == nil {
		d.Tracer = ports.NoTracer{}
	}
	if d.Groups == nil {
		d.Groups, _ = d.Transport.(ports.Groups)
	}
	a := &App{Hub: notify.NewHub(), log: d.Log}
	if d.Signals != nil {
		a.Hub.Attach(d.Signals)
	}
	a.Ingest = ingest.NewIngest(d.Store, d.QR, d.Clock, a.Hub, d.Log)
	a.Ingest.QRTimeout.Runtime = d.Transport
	a.Ingest.Metrics = d.Metrics
	var ownership ports.Ownership
	if cfg.Cluster != nil {
		a.Workers.Cluster = cluster.New(*cfg.Cluster, d.Store, runtime{a, d.Transport}, nil, d.Log)
		if d.Signals != nil {
			a.Workers.Cluster.Attach(d.Signals)
		}
		ownership, a.Ingest.Fences = a.Workers.Cluster, a.Workers.Cluster
	}
	keys := access.NewKeys() // shared: the queries read it, the commands forget it
	a.Commands = command.New(cfg.Commands, command.Deps{Store: d.Store, Transport: d.Transport, Sink: a.Ingest, Ownership: ownership,
		Sender: d.Sender, Resolver: d.Resolver, Clock: d.Clock, IDs: d.IDs, Hub: a.Hub, Log: d.Log, Metrics: d.Metrics, Keys: keys,
		Blobs: d.Blobs, Links: d.Links, Fetcher: d.Fetcher, Transcoder: d.Transcoder, Groups: d.Groups, Profiles: d.Profiles, Contacts: d.Contacts, Calls: d.Calls,
		QRImages: d.QRImages, Phones: d.Phones, Secrets: d.Secrets})
	a.Queries = query.New(d.Store, d.Transport, d.Clock)
	a.Queries.Principals.Keys = keys
	a.Queries.System.Blobs = d.Blobs
	a.Queries.System.FFmpeg, _ = d.Transcoder.(ports.Versioned) // the ffmpeg transcoder says its version
	a.Queries.Groups = query.NewGroups(d.Store, d.Groups)
	a.Queries.Chats = query.NewChats(d.Store, cfg.Commands.DefaultCountryCode)
	if d.Calls != nil {
		a.Ingest.Calls = a.Commands.Calls
	}
	a.Queries.Profiles = query.NewProfiles(d.Store, d.Profiles)
	a.Queries.Contacts = query.NewContacts(d.Store, d.Profiles, d.Contacts, d.Groups, cfg.Commands.DefaultCountryCode)
	downloader, _ := d.Transport.(ports.MediaDownloader)
	a.Queries.Media = query.NewMedia(d.Store, d.Blobs, downloader)
	sends := struct {
		*command.Sending
		*command.Quotas
	}{a.Commands.Sending, a.Commands.Quotas}
	a.Actions = webhookaction.NewActions(sends, d.Transport, d.Store, d.Clock, d.Log, cfg.Commands.DefaultCountryCode)
	hooks := worker.NewWebhooks(cfg.Webhooks, d.Store, d.Sender, d.Renderer, d.Clock, d.IDs, a.Hub, d.Log, a.Actions)
	var pub ports.EventPublisher = scheduler{hooks}
	if d.Bus != nil {
		d.Bus.SubscribeBatches("webhooks", hooks.Schedule, hooks.ScheduleAll)
		pub = d.Bus
	}
	a.Workers = Workers{Cluster: a.Workers.Cluster,
		Relay:     worker.NewRelay(d.Store, pub, d.Clock, a.Hub, d.Log),
		SendQueue: worker.NewSendQueue(d.Store, d.Transport, d.Clock, a.Hub, d.Log),
		Webhooks:  hooks,
	}
	a.Workers.SendQueue.Metrics, a.Workers.SendQueue.Tracer = d.Metrics, d.Tracer
	if a.Workers.Cluster != nil {
		a.Workers.SendQueue.Fences = a.Workers.Cluster
	}
	a.Workers.Webhooks.Observe(d.Metrics, d.Tracer)
	if d.Blobs != nil {
		a.Workers.BlobSweeper = worker.NewBlobSweeper(d.Store, d.Blobs, d.Clock, d.Log)
	}
	a.Workers.History = worker.NewHistorySweeper(d.Store, d.Clock, d.Log)
	if expirer, ok := d.Blobs.(ports.BlobExpirer); ok {
		a.Workers.TempSweeper = worker.NewTempSweeper(expirer, d.Clock, d.Log)
	}
	if downloader != nil && cfg.Mirror.Policy.Enabled && d.Blobs != nil && d.Links != nil {
		a.Workers.Mirror = worker.NewMirror(cfg.Mirror, downloader, d.Blobs, d.Links, d.Clock, d.Log)
		hooks.UseMirror(a.Workers.Mirror)
	}
	return a
}

// Start resumes the auto-start sessions (with a cluster: joins it and claims this
// node's share of them), then runs the workers until Stop. Sessions are marked
// starting before the send queue runs, so it never sends on the status they had
// before a restart.
func (a *App) Start(ctx context.Context) error {
	runs := []func(context.Context){a.Workers.Relay.Run, a.Workers.Webhooks.Run, a.Workers.SendQueue.Run, a.Workers.History.Run}
	if a.Workers.Cluster != nil {
		if err := a.Workers.Cluster.Join(ctx); err != nil {
			return err
		}
		runs = append(runs, a.Workers.Cluster.Run)
	} else if err := a.Commands.Sessions.ResumeSessions(ctx); err != nil {
		return err
	}
	if a.Workers.BlobSweeper != nil {
		runs = append(runs, a.Workers.BlobSweeper.Run)
	}
	if a.Workers.Mirror != nil {
		runs = append(runs, a.Workers.Mirror.Run)
	}
	if a.Workers.TempSweeper != nil {
		runs = append(runs, a.Workers.TempSweeper.Run)
	}
	a.running.start(runs)
	return nil
}

// Stop ends the workers and waits for them (the send queue lets the attempt in
// flight finish within its grace); with a cluster, the node then stops its
// sessions' runtimes and releases their leases for other nodes to take at once.
// Stopping an app never started is a no-op.
func (a *App) Stop() {
	started := a.running.cancel != nil
	a.running.stop()
	if a.Workers.Cluster == nil || !started {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Workers.Cluster.Leave(ctx); err != nil {
		a.log.ErrorContext(ctx, "cluster: leave (other nodes take the sessions when the leases run out)", "err", err)
	}
}

// runtime starts and stops sessions for the cluster, as the commands do.
type runtime struct {
	a         *App
	transport ports.Transport
}

func (r runtime) Resume(ctx context.Context, id string) error {
	return r.a.Commands.Runtimes.Resume(ctx, id)
}

// Stop lets the send queue's attempt in flight for the session finish and store its
// outcome, then disconnects it: the cluster stops a runtime before it releases the
// session's lease.
func (r runtime) Stop(ctx context.Context, id string) error {
	r.a.Workers.SendQueue.Settled(ctx, id)
	return r.transport.Stop(ctx, id)
}

// loops are the running workers' goroutines.
type loops struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (l *loops) start(runs []func(context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for _, run := range runs {
		l.wg.Go(func() { run(ctx) })
	}
}

func (l *loops) stop() {
	if l.cancel != nil {
		l.cancel()
	}
	l.wg.Wait()
}

// scheduler is the in-process bus: published events go straight to the webhook
// scheduler.
type scheduler struct{ hooks *worker.Webhooks }

func (s scheduler) Publish(ctx context.Context, events ...event.Envelope) error {
	if s.hooks.ScheduleAll(ctx, events) == nil {
		return nil
	}
	// As the bus does after a failed batch: one by one, so an event gone with its
	// session is passed over rather than holding the others up.
	for _, e := range events {
		if err := s.hooks.Schedule(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
