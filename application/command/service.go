// Package command holds the use cases that change state, one file per use case.
package command

import (
	"context"
	"github.com/warest-go/warest/application/access"
	"log/slog"
	"time"

	"github.com/warest-go/warest/application/notify"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Config tunes the use cases.
type Config struct {
	DefaultCountryCode string        // replaces a leading 0 in phone numbers
	QRWait             time.Duration // how long create waits for the first QR (WAREST: 2.5 s)
	PairWait           time.Duration // how long pair-code waits for the code (WAREST: 3.5 s)
	SendWait           time.Duration // how long a send waits for the worker before answering 202
	SendExpiry         time.Duration // how long a message may wait in the queue; 0: no limit
	MaxRecipients      int           // per request
	Limits             Limits
	Media              MediaConfig
	LoginTTL           time.Duration // how long a login session lasts, from the login
	Misc               MiscConfig
	// WebhookTargets says whose webhook receivers may be on loopback and private
	// networks (the zero value: admins' sessions only).
	WebhookTargets netpolicy.PrivateTargets
	Caps           account.Caps // per-user defaults (ours); admins are uncapped unless overridden
}

// DefaultCaps are the per-user caps of a production gateway: enough sessions and
// streams for a tenant's bots and dashboards, not for a flood.
var DefaultCaps = account.Caps{Sessions: 20, Streams: 5}

// DefaultConfig matches WAREST's timings.
var DefaultConfig = Config{DefaultCountryCode: "62", QRWait: 2500 * time.Millisecond, PairWait: 3500 * time.Millisecond,
	SendWait: 5 * time.Second, SendExpiry: 24 * time.Hour, MaxRecipients: 100, Limits: DefaultLimits, Media: DefaultMedia,
	LoginTTL: 12 * time.Hour, Caps: DefaultCaps, Misc: DefaultMisc}

// Commands are the use cases that change state, one handler per use case or small
// cohesive group, each holding only the ports it uses.
type Commands struct {
	Logins        *Logins
	Users         *Users
	Subscriptions *Subscriptions
	Webhook       *SessionWebhook
	Sessions      *Sessions
	Runtimes      *Runtimes
	Teardown      *SessionTeardown
	Sending       *Sending
	Actions       *MessageActions
	Chats         *Chats
	Quotas        *Quotas
	Groups        *Groups
	GroupMembers  *GroupMembers
	Profiles      *Profiles
	Presence      *Presence
	Calls         *Calls
	// The misc utilities, by family.
	MiscCodes     *MiscCodes
	MiscCrypto    *MiscCrypto
	MiscAddresses *MiscAddresses
	MiscMedia     *MiscMedia
	MiscIDs       *MiscIDs

	caps account.Caps
}

// Deps lists the ports the commands run on.
type Deps struct {
	Store     ports.Store
	Transport ports.Transport
	Sink      ports.TransportSink
	Sender    ports.WebhookSender
	Resolver  ports.Resolver // nil: receivers' names are judged when dialled only
	Clock     ports.Clock
	IDs       ports.IDs
	Hub       *notify.Hub
	Log       *slog.Logger
	Metrics   ports.Metrics // nil: nothing is counted
	Keys      *access.Keys  // the API key cache to forget on revocations; nil: none
	// Media sends need these three; other use cases work without them.
	Blobs      ports.BlobStore
	Links      ports.BlobLinks // signed links to Blobs' objects; nil: misc output=url answers 503
	Fetcher    ports.MediaFetcher
	Transcoder ports.MediaTranscoder
	Groups     ports.Groups // nil: group calls answer 503
	// The profile, presence and call use cases need these.
	Profiles ports.Profiles
	Contacts ports.Contacts
	Calls    ports.Calls
	// The misc utilities use these when present.
	QRImages ports.QRImages
	Phones   ports.PhoneNumbers
	Secrets  ports.MessageSecrets
	// Ownership places sessions among the nodes sharing the store; nil: every
	// session runs on this node.
	Ownership ports.Ownership
}

// New builds the command handlers.
func New(cfg Config, d Deps) *Commands {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = ports.NoMetrics{}
	}
	if cfg.LoginTTL <= 0 {
		cfg.LoginTTL = DefaultConfig.LoginTTL // a zero TTL would end every login at once
	}
	s := &Commands{caps: cfg.Caps, Logins: newLogins(d.Store, d.Clock, d.IDs, cfg.LoginTTL, d.Keys),
		Users: &Users{store: d.Store, clock: d.Clock, ids: d.IDs, keys: d.Keys}}
	t := targets{store: d.Store, resolver: d.Resolver, policy: cfg.WebhookTargets}
	s.Subscriptions = &Subscriptions{store: d.Store, clock: d.Clock, ids: d.IDs, wake: d.Hub.Webhooks, targets: t}
	s.Webhook = &SessionWebhook{store: d.Store, clock: d.Clock, ids: d.IDs, sender: d.Sender, targets: t}
	s.Sessions = &Sessions{cfg: cfg, store: d.Store, transport: d.Transport, sink: d.Sink, clock: d.Clock, hub: d.Hub, log: d.Log}
	s.Runtimes = &Runtimes{s: s.Sessions, ownership: d.Ownership}
	s.Sessions.run = s.Runtimes
	s.Teardown = &SessionTeardown{store: d.Store, transport: d.Transport, blobs: d.Blobs, clock: d.Clock, hub: d.Hub, log: d.Log}
	s.Quotas = &Quotas{cfg: cfg, store: d.Store, clock: d.Clock}
	snd := senders{store: d.Store, addresses: chat.Normalizer{DefaultCountryCode: cfg.DefaultCountryCode}}
	s.Sending = &Sending{cfg: cfg, store: d.Store, quotas: s.Quotas, clock: d.Clock, hub: d.Hub, metrics: d.Metrics, senders: snd, media: mediaPrep{cfg: cfg.Media,
		blobs: d.Blobs, fetcher: d.Fetcher, transcoder: d.Transcoder, ids: d.IDs},
		replies: replies{store: d.Store, messages: d.Hub.Messages, wait: cfg.SendWait}}
	s.Actions = &MessageActions{cfg: cfg, store: d.Store, transport: d.Transport, clock: d.Clock, send: s.Sending}
	s.Chats = &Chats{store: d.Store, transport: d.Transport, clock: d.Clock, actions: s.Actions}
	s.Groups = &Groups{store: d.Store, groups: d.Groups, addresses: snd.addresses, media: s.Sending.media}
	s.GroupMembers = &GroupMembers{groups: s.Groups}
	s.Profiles = &Profiles{store: d.Store, profiles: d.Profiles, media: mediaPrep{cfg: MediaConfig{PerFileLimit: MaxPictureBytes},
		fetcher: d.Fetcher, transcoder: d.Transcoder}}
	s.Presence = &Presence{store: d.Store, transport: d.Transport, contacts: d.Contacts, addresses: snd.addresses}
	queue := *s.Sending
	queue.cfg.SendWait = 0
	s.Calls = &Calls{store: d.Store, calls: d.Calls, clock: d.Clock, queue: &queue, addresses: snd.addresses}
	files, miscMedia := newTempFiles(cfg.Misc, d), mediaPrep{cfg: MediaConfig{PerFileLimit: MaxMiscFileBytes}, fetcher: d.Fetcher,
		transcoder: d.Transcoder}
	s.MiscCodes = &MiscCodes{qr: d.QRImages, transcoder: d.Transcoder, out: files}
	s.MiscCrypto = &MiscCrypto{store: d.Store, secrets: d.Secrets, media: miscMedia, out: files}
	s.MiscAddresses = &MiscAddresses{store: d.Store, contacts: d.Contacts, phones: d.Phones}
	s.MiscMedia = &MiscMedia{clock: d.Clock, media: miscMedia, out: files}
	s.MiscIDs = &MiscIDs{}
	return s
}

// Caps resolves a user's caps against the server's defaults.
func (s *Commands) Caps(u account.User) account.Caps { return u.Caps(s.caps) }

// ownedSession loads a session and checks the caller may act on it: unknown → 404,
// someone else's → 403.
func ownedSession(ctx context.Context, r ports.Repositories, p account.Principal, id string) (*session.Session, error) {
	return access.Session(ctx, r, p, id)
}
