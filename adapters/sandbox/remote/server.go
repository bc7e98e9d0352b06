package remote

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/warest-go/warest/adapters/sandbox"
	"github.com/warest-go/warest/ports"
)

// Server exposes a network to Clients: POST /v1/call/{op}, the event stream at
// GET /v1/events?client=ID and acknowledgements at POST /v1/ack. Every call
// names its client, so each Client is its own connection to the network (see
// sandbox.AsClient): a session runs on the one that started it last.
type Server struct {
	net *sandbox.Network
	ops map[string]func(context.Context, args) (any, error)
	mux *http.ServeMux

	ctx    context.Context // ends every stream on Close
	cancel context.CancelFunc

	mu      sync.Mutex
	streams map[string]*stream // by client id
	pending map[uint64]chan error
	nextID  uint64
}

// stream is one client's open event stream.
type stream struct {
	frames chan frame
	done   chan struct{}
	cancel context.CancelFunc
}

var (
	errNoStream   = errors.New("remote: the gateway's event stream is not connected")
	errStreamLost = errors.New("remote: the gateway's event stream was lost")
)

// NewServer serves net.
func NewServer(net *sandbox.Network) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{net: net, mux: http.NewServeMux(), ctx: ctx, cancel: cancel,
		streams: map[string]*stream{}, pending: map[uint64]chan error{}}
	s.ops = s.table()
	s.mux.HandleFunc("POST /v1/call/{op}", s.call)
	s.mux.HandleFunc("GET /v1/events", s.events)
	s.mux.HandleFunc("POST /v1/ack", s.ack)
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close ends every event stream, so an http.Server can shut down.
func (s *Server) Close() { s.cancel() }

func (s *Server) call(w http.ResponseWriter, r *http.Request) {
	op, ok := s.ops[r.PathValue("op")]
	if !ok {
		http.Error(w, "unknown call", http.StatusNotFound)
		return
	}
	var a args
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var out reply
	res, err := op(sandbox.AsClient(r.Context(), a.Client), a)
	if err == nil {
		out.Result, err = json.Marshal(res)
	}
	if err != nil {
		out.Error = toWire(err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// start binds the session's events to the calling client; the network moves the
// session's connection to it.
func (s *Server) start(ctx context.Context, a args) error {
	return s.net.Start(ctx, a.Session, &remoteSink{s: s, client: a.Client, session: a.Session})
}

// remoteSink hands a session's events to its client's stream and reports the
// client's answer: the network keeps an event until this returns nil.
type remoteSink struct {
	s       *Server
	client  string
	session string
}

func (k *remoteSink) Handle(ctx context.Context, ev ports.TransportEvent) error {
	typ, raw, err := encodeEvent(ev)
	if err != nil {
		return err
	}
	s := k.s
	s.mu.Lock()
	st := s.streams[k.client]
	s.nextID++
	id := s.nextID
	answer := make(chan error, 1)
	s.pending[id] = answer
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}()
	if st == nil {
		return errNoStream
	}
	select {
	case st.frames <- frame{ID: id, Session: k.session, Type: typ, Event: raw}:
	case <-st.done:
		return errStreamLost
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-answer:
		return err
	case <-st.done:
		return errStreamLost
	case <-ctx.Done():
		return ctx.Err()
	}
}

// events streams frames to one client as JSON lines until it goes away. A new
// stream of the same client replaces the old one. While no stream of a client is
// open the network counts it detached: its process ended or lost the network.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	client := r.URL.Query().Get("client")
	flusher, ok := w.(http.Flusher)
	if client == "" || !ok {
		http.Error(w, "a client id and a flushable connection are required", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	st := &stream{frames: make(chan frame), done: make(chan struct{}), cancel: cancel}
	s.mu.Lock()
	if old := s.streams[client]; old != nil {
		old.cancel()
	}
	s.streams[client] = st
	s.net.Attach(client)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.streams[client] == st {
			delete(s.streams, client)
			s.net.Detach(client)
		}
		s.mu.Unlock()
		close(st.done)
	}()

	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	if enc.Encode(frame{Hello: true}) != nil {
		return
	}
	flusher.Flush()
	for {
		select {
		case f := <-st.frames:
			if enc.Encode(f) != nil {
				return
			}
			flusher.Flush()
		case <-ctx.Done():
			return
		}
	}
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request) {
	var a ack
	if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	answer := s.pending[a.ID]
	s.mu.Unlock()
	if answer != nil {
		var err error
		if a.Error != "" {
			err = errors.New(a.Error)
		}
		select {
		case answer <- err:
		default: // a repeated ack
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
