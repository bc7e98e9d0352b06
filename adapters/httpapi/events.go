package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
)

// streamPoll is how often a live stream looks for new events without wake-ups;
// with them (LiveEvents, over the bus from every node) it is only a fallback.
const (
	streamPoll         = 500 * time.Millisecond
	streamFallbackPoll = 5 * time.Second
)

// published returns the channel that wakes streams, nil (never) without wake-ups.
func (h *handlers) published() <-chan struct{} {
	if h.live == nil {
		return nil
	}
	return h.live.Published()
}

// immediately is always ready: a stream behind the log reads on without waiting.
var immediately = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

func (h *handlers) registerEvents() {
	register(h, route{id: "getEvents", method: http.MethodGet, path: "/api/v1/events", tag: "Events", access: accessUser,
		summary: "Replay the event log after a cursor: every event of the caller's sessions, oldest first",
		errors:  []int{http.StatusNotFound}}, h.replayEvents)
	register(h, route{id: "getEventsParked", method: http.MethodGet, path: "/api/v1/events/parked", tag: "Events", access: accessAdmin,
		summary: "List parked events (admin): what the transport observed but could not be recorded, with the reason, newest first"},
		h.parkedEvents)
	eventSchema := h.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[eventDTO](), true, "StreamEvent")
	huma.Register(h.api, huma.Operation{OperationID: "getEventsStream", Method: http.MethodGet, Path: "/api/v1/events/stream",
		Tags: []string{"Events"}, Summary: "Live stream (server-sent events, `event: <type>`, `id: <cursor>`, data = the event) of the caller's sessions' events; resumes after Last-Event-ID or ?after",
		Description: "Needs an API key (`X-WAREST-API-KEY` or `Authorization: Bearer`). A user holds at most " +
			"`WAREST_MAX_STREAMS_PER_USER` streams at once (403 with app code 2403 beyond it); the stream is not rate limited.",
		Security:    []map[string][]string{{"ApiKeyAuth": {}}},
		Middlewares: huma.Middlewares{h.authMiddleware(h.api, accessUser)},
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "A stream of events",
			Content: map[string]*huma.MediaType{"text/event-stream": {Schema: eventSchema}}}},
	}, h.streamEvents)
}

// eventDTO is one logged event; cursor is what ?after takes to continue after it.
type eventDTO struct {
	Cursor     string          `json:"cursor"`
	ID         string          `json:"id"`
	Event      string          `json:"event"`
	SessionID  string          `json:"sessionId"`
	OccurredAt string          `json:"occurredAt"`
	Data       json.RawMessage `json:"data"`
}

// toEventDTO renders e as webhooks carry it. An event that does not render (a
// stored form this build cannot read) is logged and left out rather than failing
// the page: a reader could never get past it otherwise.
func (h *handlers) toEventDTO(ctx context.Context, e event.Envelope) (eventDTO, bool) {
	data, err := h.render.Render(e)
	if err != nil {
		h.log.ErrorContext(ctx, "events: cannot render a logged event", "event", e.ID, "type", e.Type, "err", err)
		return eventDTO{}, false
	}
	return eventDTO{Cursor: strconv.FormatInt(e.Seq, 10), ID: e.ID, Event: string(e.Type), SessionID: e.SessionID,
		OccurredAt: isoTime(e.OccurredAt), Data: data}, true
}

// parkedDTO is a dead letter of ingest.
type parkedDTO struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionId"`
	Kind      string `json:"kind" doc:"what the transport observed, e.g. TransportMessage"`
	Reason    string `json:"reason" doc:"why it could not be recorded"`
	ParkedAt  string `json:"parkedAt"`
	Payload   string `json:"payload" doc:"the observation as JSON text"`
}

type parkedInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

func (h *handlers) parkedEvents(ctx context.Context, in *parkedInput) (*Response[parkedDTO], error) {
	list, err := h.q.Events.ParkedEvents(ctx, principal(ctx), in.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]parkedDTO, len(list))
	for i, p := range list {
		out[i] = parkedDTO{ID: p.ID, SessionID: p.SessionID, Kind: p.Kind, Reason: p.Reason,
			ParkedAt: isoTime(p.ParkedAt), Payload: string(p.Payload)}
	}
	return success("Parked events fetched", out...), nil
}

type replayInput struct {
	SessionSelector
	After int64 `query:"after" minimum:"0" doc:"cursor of the last event already seen; 0 starts at the beginning"`
	Limit int   `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

type replayPage struct {
	Events []eventDTO `json:"events"`
	Next   string     `json:"next" doc:"cursor to pass as ?after for the next page"`
}

func (h *handlers) replayEvents(ctx context.Context, in *replayInput) (*Response[replayPage], error) {
	got, err := h.q.Events.Events(ctx, principal(ctx), sessionFilter(in.sessionID()), in.After, in.Limit)
	if err != nil {
		return nil, err
	}
	page := replayPage{Events: make([]eventDTO, 0, len(got.Events)), Next: strconv.FormatInt(got.Next, 10)}
	for _, e := range got.Events {
		if dto, ok := h.toEventDTO(ctx, e); ok {
			page.Events = append(page.Events, dto)
		}
	}
	return success("Events fetched", page), nil
}

type streamInput struct {
	SessionSelector
	After       int64  `query:"after" minimum:"0"`
	LastEventID string `header:"Last-Event-ID" doc:"set by browsers on reconnect; wins over ?after"`
}

type streamOutput struct {
	Body func(huma.Context)
}

// streamEvents checks access and the caller's stream cap up front (so refusals are
// ordinary envelopes), then writes SSE frames until the client goes away, the
// server shuts down, or a requested session is no longer the caller's (deleted, or
// its id taken by another user).
func (h *handlers) streamEvents(ctx context.Context, in *streamInput) (*streamOutput, error) {
	cursor := in.After
	if n, err := strconv.ParseInt(in.LastEventID, 10, 64); err == nil {
		cursor = n
	}
	p := principal(ctx)
	filter := sessionFilter(in.sessionID())
	// Errors are converted here, as register does, so Retry-After reaches the client.
	release, err := h.streams.open(p.User, h.cmd.Caps(p.User).Streams)
	if err != nil {
		return nil, fromError(ctx, err)
	}
	published := h.published() // taken before reading, so nothing published after the read is missed
	first, err := h.q.Events.Events(ctx, p, filter, cursor, 100)
	if err != nil {
		release()
		return nil, fromError(ctx, err)
	}
	return &streamOutput{Body: func(hc huma.Context) {
		defer release()
		hc.SetHeader("Content-Type", "text/event-stream")
		hc.SetHeader("Cache-Control", "no-cache")
		hc.SetStatus(http.StatusOK)
		w := hc.BodyWriter()
		flush := func() {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		flush()
		ctx := hc.Context()
		poll := streamPoll
		if h.live != nil {
			poll = streamFallbackPoll
		}
		t := time.NewTicker(poll)
		defer t.Stop()
		for page := first; ; {
			for _, e := range page.Events {
				dto, ok := h.toEventDTO(ctx, e)
				if !ok {
					continue
				}
				data, _ := json.Marshal(dto)
				if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data); err != nil {
					return
				}
			}
			cursor = page.Next
			flush()
			next := t.C
			if len(page.Events) == 100 {
				next = immediately // more may be waiting: catch up without pausing
			}
			select {
			case <-ctx.Done():
				return
			case <-h.streams.closing:
				return
			case <-next:
			case <-published:
			}
			published = h.published()
			var err error
			if page, err = h.q.Events.Events(ctx, p, filter, cursor, 100); err != nil {
				if k := fault.KindOf(err); k == fault.KindNotFound || k == fault.KindForbidden {
					loggerFrom(ctx).InfoContext(ctx, "event stream ended: its session was deleted or is no longer the caller's", "err", err)
				} else if ctx.Err() == nil {
					loggerFrom(ctx).WarnContext(ctx, "event stream stopped", "err", err)
				}
				return
			}
		}
	}}, nil
}

// streamSet counts each user's open streams on this node and ends them all at
// shutdown: http.Server.Shutdown waits for every request, and a stream never ends
// by itself.
type streamSet struct {
	mu      sync.Mutex
	count   map[string]int // open streams by user id
	closing chan struct{}
	once    sync.Once
}

func newStreamSet() *streamSet {
	return &streamSet{count: map[string]int{}, closing: make(chan struct{})}
}

// open counts a stream of u against limit (0: unlimited); release, called once,
// uncounts it.
func (s *streamSet) open(u account.User, limit int) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if limit > 0 && s.count[u.ID] >= limit {
		return nil, fault.New(fault.KindForbidden, fault.ReasonLimitReached,
			"event stream limit reached: %s may hold %d streams open; close one or ask an admin to raise the limit", u.Username, limit)
	}
	s.count[u.ID]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.count[u.ID]--; s.count[u.ID] == 0 {
			delete(s.count, u.ID)
		}
	}, nil
}

// opened is the number of open streams.
func (s *streamSet) opened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.count {
		n += c
	}
	return n
}

// closed reports whether close was called: the server is shutting down.
func (s *streamSet) closed() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// close ends every stream, open or opening.
func (s *streamSet) close() { s.once.Do(func() { close(s.closing) }) }

func sessionFilter(id string) []string {
	if id == "" {
		return nil
	}
	return []string{id}
}
