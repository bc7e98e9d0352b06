// Package httpapi is the HTTP adapter: huma operations on a chi router, speaking
// WAREST's wire format (paths, aliases, envelope, app codes) over the application.
package httpapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/ports"
)

// Config tunes the adapter.
type Config struct {
	Addr          string
	ServiceName   string
	Version       string
	Environment   string
	Timezone      string // IANA name used by /server/ping; empty means the host's zone
	StartedAt     time.Time
	JSONLimit     int64 // max JSON body bytes; 0 means 2 MB, WAREST's general limit
	MediaLimit    int64 // max body bytes of the media send routes; 0 means 100 MB
	Webhook       command.WebhookSettings
	CookieSecret  []byte // signs the login cookie; random per process when empty, so logins end with the process
	SecureCookies bool
	// AllowedOrigins may call the API from a browser (CORS); "*" is every origin,
	// none is no cross-origin access.
	AllowedOrigins []string
	MetricsToken   string // the bearer token /metrics asks for; empty: open
}

// Deps is what the adapter drives. Sandbox is optional: its control routes are
// only registered when it is set.
type Deps struct {
	Commands *command.Commands
	Queries  *query.Queries
	Sandbox  ports.SandboxNetwork
	Log      *slog.Logger
	Config   Config
	// Live wakes event streams when events are published, on any node; nil:
	// streams poll the log every streamPoll.
	Live LiveEvents
	// Renderer renders logged events in the wire format webhooks carry.
	Renderer ports.EventRenderer
	// Metrics counts requests and serves /metrics; nil: no /metrics.
	Metrics Metrics
	// Tracer spans each request; nil: no spans.
	Tracer Tracer
	// Dashboard serves the web console on "/" and its files under /dashboard/;
	// nil: no console.
	Dashboard Dashboard
	// Host reports CPU and disk for /server/info and /server/cpu-history; nil:
	// none reported.
	Host ports.HostStats
	// Restarter serves the restart routes; nil: they answer 503.
	Restarter Restarter
	// Storage serves the local store's signed links under /storages/; nil: none
	// (the S3 driver's links are presigned URLs of the bucket).
	Storage SignedStorage
	// Nodes serves the node routes; nil: they answer 503.
	Nodes Nodes
	// Owners tells which node runs each session: operations needing a session's
	// live connection are forwarded to it (forward.go); nil: this node runs them all.
	Owners ports.Ownership
}

// Dashboard is the web console's handler (adapters/dashboard).
type Dashboard http.Handler

// LiveEvents announces published events (application/notify.Publications).
type LiveEvents interface {
	// Published returns a channel closed the next time events are published.
	Published() <-chan struct{}
}

const defaultJSONLimit = 2 << 20

type handlers struct {
	cmd       useCases
	q         reads
	sandbox   ports.SandboxNetwork
	log       *slog.Logger
	cfg       Config
	loc       *time.Location
	cookies   cookieSigner
	api       huma.API
	streams   *streamSet
	live      LiveEvents // nil: poll only
	render    ports.EventRenderer
	metrics   Metrics         // nil: nothing counted
	tracer    Tracer          // nil: no spans
	console   Dashboard       // nil: none
	host      ports.HostStats // nil: no CPU or disk figures
	restarter Restarter       // nil: no restarts
	storage   SignedStorage   // nil: no /storages/
	nodes     Nodes           // nil: the node routes answer 503
	fwd       *forwarder      // nil: single node, nothing forwarded
}

// Handler is the complete HTTP handler.
type Handler struct {
	http.Handler
	streams *streamSet
}

// CloseStreams ends every open event stream, now and for good: call it when the
// server shuts down, since streams never end by themselves.
func (h *Handler) CloseStreams() { h.streams.close() }

// NewHandler returns the complete HTTP handler.
func NewHandler(d Deps) *Handler {
	h := newHandlers(d)
	return &Handler{Handler: h.router(), streams: h.streams}
}

// NewAPI returns the huma API (for its OpenAPI document) and the handler serving it.
func NewAPI(d Deps) (huma.API, http.Handler) {
	h := newHandlers(d)
	r := h.router()
	return h.api, r
}

// router registers every operation on a fresh router.
func (h *handlers) router() http.Handler {
	r := chi.NewRouter()
	r.Use(h.requestContext, securityHeaders, h.recoverer, withCORS(h.cfg.AllowedOrigins))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fromStatus(http.StatusNotFound, "Route not found: "+r.Method+" "+r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fromStatus(http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed on "+r.URL.Path))
	})
	h.api = humachi.New(r, h.humaConfig())
	h.registerServer()
	h.registerSessions()
	h.registerMessages()
	h.registerAccounts()
	h.registerWebhooks()
	h.registerEvents()
	h.registerGroups()
	h.registerChats()
	h.registerProfiles()
	h.registerPresenceAndCalls()
	h.registerMisc()
	if h.sandbox != nil {
		h.registerSandbox()
	}
	h.mountDocs(r)
	h.mountOperator(r)
	h.mountStorages(r)
	h.mountDashboard(r)
	return r
}

func newHandlers(d Deps) *handlers {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cfg := d.Config
	if cfg.JSONLimit <= 0 {
		cfg.JSONLimit = defaultJSONLimit
	}
	if cfg.MediaLimit <= 0 {
		cfg.MediaLimit = 100 << 20
	}
	if cfg.StartedAt.IsZero() {
		cfg.StartedAt = time.Now()
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "WAREST"
	}
	secret := cfg.CookieSecret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		_, _ = rand.Read(secret)
	}
	loc := time.Local
	if cfg.Timezone != "" {
		l, err := time.LoadLocation(cfg.Timezone)
		if err != nil {
			d.Log.Warn("unknown timezone, using the host's", "timezone", cfg.Timezone, "err", err)
		} else {
			loc = l
		}
	}
	return &handlers{cmd: useCasesOf(d.Commands), q: readsOf(d.Queries), sandbox: d.Sandbox, log: d.Log, cfg: cfg, loc: loc, cookies: cookieSigner{secret: secret},
		streams: newStreamSet(), live: d.Live, render: d.Renderer, metrics: d.Metrics, tracer: d.Tracer, console: d.Dashboard,
		host: d.Host, restarter: d.Restarter, storage: d.Storage, nodes: d.Nodes, fwd: newForwarder(d.Owners)}
}

func (h *handlers) humaConfig() huma.Config {
	c := huma.DefaultConfig(h.cfg.ServiceName, h.cfg.Version)
	// docs.go serves the spec behind the docs guard; no huma docs or schema routes.
	c.OpenAPIPath, c.DocsPath, c.SchemasPath = "", "", ""
	// No $schema links in bodies: the envelope is exactly WAREST's.
	c.CreateHooks = nil
	c.Info.Description = "WhatsApp REST gateway, wire-compatible with WAREST 1.3.42. Every app code, with its HTTP " +
		"status, is listed at [/docs/code-table.json](/docs/code-table.json)."
	c.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"ApiKeyAuth": {Type: "apiKey", In: "header", Name: "X-WAREST-API-KEY",
			Description: "Also accepted: Authorization: Bearer|Token|APIKey <key>, X-API-KEY, Api-Key, and the query parameters api_key, apikey, apiKey."},
	}
	c.Tags = []*huma.Tag{
		{Name: "Auth", Description: "Log in and out: a login session is a key that expires, and sets the docs cookie."},
		{Name: "Server", Description: "Liveness (no key); runtime information, CPU history, dependency health, readiness and restarts (admin)."},
		{Name: "Sessions", Description: "WhatsApp sessions: create and pair by QR or pair code, status, webhook configuration, reconnect, log out and delete."},
		{Name: "Messages - Sending", Description: "Send texts, media, documents, stickers, contacts, locations, polls, buttons and lists to one or many recipients, through the durable send queue."},
		{Name: "Messages - Actions", Description: "Act on one message (star, react, edit, delete, revoke, mark as read) or on a chat (mute, archive, clear)."},
		{Name: "Messages - Status", Description: "The delivery state of an outbound message."},
		{Name: "Chats", Description: "The chat history this gateway keeps (received and sent messages, edits, deletions, reactions, reads): chats, their messages with filters and a stable cursor, marking read, pinning chats and messages."},
		{Name: "Groups", Description: "The account's WhatsApp groups, live through an open session: list, info, create, delete, settings, picture, invite links, joining, participants and join requests."},
		{Name: "Webhooks", Description: "Webhook subscriptions, deliveries, dead letters, redelivery and preflight."},
		{Name: "Events", Description: "Replay of the event log, the live event stream and parked events."},
		{Name: "Accounts", Description: "Users, their API keys and caps."},
		{Name: "Profiles", Description: "The account's profile, picture and privacy, its contacts, and lookups of other numbers."},
		{Name: "Presence", Description: "Show the account's presence and subscribe to others' (presence_update events)."},
		{Name: "Calls", Description: "Reject incoming calls; sessions can reject them automatically."},
		{Name: "Contacts", Description: "LID ↔ phone number lookups."},
		{Name: "Misc", Description: "Utilities: QR codes, WhatsApp media and poll vote decryption, number and JID checks, thumbnails and image processing, UUID/ULID, hashes, HMAC and base64."},
	}
	return c
}

// route describes one operation for register.
type route struct {
	id, method, path, tag, summary string
	description                    string // what the summary leaves out; register adds who may call it
	access                         access
	status                         int   // default success status when not 200
	also                           []int // other statuses answered with the success body (202, 207, 503…)
	errors                         []int
	maxBody                        int64            // body limit when not JSONLimit (media uploads)
	before                         huma.Middlewares // run before the handler, after auth and limits
	countedBySend                  bool             // the handler's use case counts the limits (sendLimitMiddleware)
}

// accessNotes tell the reader of the API reference who may call an operation.
var accessNotes = map[access]string{
	accessPublic: "No API key needed.",
	accessUser: "Needs an API key (`X-WAREST-API-KEY` or `Authorization: Bearer`); a session of another user answers 403 " +
		"unless the key is an admin's. Counted against the key's rate limit (429 with `Retry-After` over it).",
	accessAdmin: "Needs an admin's API key; other keys answer 403. Counted against the key's rate limit.",
}

// register adds an operation with its auth middleware and documented responses.
func register[I, O any](h *handlers, r route, fn func(context.Context, *I) (*O, error)) {
	op := huma.Operation{OperationID: r.id, Method: r.method, Path: r.path, Summary: r.summary, DefaultStatus: r.status,
		Description: strings.TrimSpace(r.description + " " + accessNotes[r.access]),
		Tags:        []string{r.tag}, MaxBodyBytes: h.cfg.JSONLimit, Errors: append([]int{http.StatusBadRequest}, r.errors...),
		Security: []map[string][]string{}} // an empty list documents "no key needed"
	if r.maxBody > 0 {
		op.MaxBodyBytes, op.BodyReadTimeout = r.maxBody, -1 // uploads may be slow; the server's timeouts still apply
	}
	if r.access != accessPublic {
		op.Security = []map[string][]string{{"ApiKeyAuth": {}}}
		// Forwarded requests are limited by the node that runs them, the owner.
		limits := h.limitMiddleware(h.api, quotaRoute(r.path))
		if r.countedBySend {
			limits = h.sendLimitMiddleware(h.api)
		}
		op.Middlewares = huma.Middlewares{h.authMiddleware(h.api, r.access), h.forward, limits}
		// Every authenticated call is counted in the store: over a limit 429, and 503
		// when the store cannot answer.
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	}
	op.Middlewares = append(op.Middlewares, r.before...)
	op.Errors = append(op.Errors, http.StatusInternalServerError)
	if len(r.also) > 0 {
		body, _ := reflect.TypeFor[O]().FieldByName("Body")
		schema := h.api.OpenAPI().Components.Schemas.Schema(body.Type, true, r.id+"Response")
		op.Responses = map[string]*huma.Response{}
		for _, s := range r.also {
			op.Responses[strconv.Itoa(s)] = &huma.Response{Description: http.StatusText(s),
				Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}
		}
	}
	huma.Register(h.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := fn(ctx, in)
		if err != nil {
			// Converted here rather than in huma's error hook: huma reads headers
			// (Retry-After) only from the error a handler returns.
			return nil, fromError(ctx, err)
		}
		return out, nil
	})
}

type receivedKey struct{}

type clientKey struct{}

// clientAddr is the peer's IP. Forwarding headers are not trusted: anyone can set them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientFrom returns the peer address requestContext stored.
func clientFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// requestContext puts the logger and the receive time into the request context and
// writes one access-log line. The query string is left out: it may carry an API key.
func (h *handlers) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		log := h.log.With("method", r.Method, "path", r.URL.Path)
		ctx := context.WithValue(context.WithValue(r.Context(), loggerKey{}, log), receivedKey{}, start)
		ctx = context.WithValue(ctx, clientKey{}, clientAddr(r))
		var span ports.Span
		if h.tracer != nil {
			ctx, span = h.tracer.Start(h.tracer.Continue(ctx, r.Header), "HTTP "+r.Method, "http.request.method", r.Method)
		}
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r.WithContext(ctx))
		took, status, route := time.Since(start), ww.Status(), routeOf(r)
		if status == 0 {
			status = http.StatusOK // nothing written: net/http answers 200
		}
		if h.metrics != nil {
			h.metrics.Request(route, r.Method, status, took)
		}
		if span != nil {
			var failed error
			if status >= http.StatusInternalServerError {
				failed = errors.New(http.StatusText(status))
			}
			span.End(failed, "http.route", route, "http.response.status_code", strconv.Itoa(status))
		}
		log.DebugContext(ctx, "http request", "status", status, "duration", took)
	})
}

// recoverer turns a panic into a logged, generic 500 envelope.
func (h *handlers) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			loggerFrom(r.Context()).ErrorContext(r.Context(), "panic serving request", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			writeError(w, newErrorEnvelope(http.StatusInternalServerError, codeInternal, internalMessage))
		}()
		next.ServeHTTP(w, r)
	})
}
