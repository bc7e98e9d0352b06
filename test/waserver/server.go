// Package waserver is a WhatsApp-protocol test server: an unmodified whatsmeow client
// connects to it over a real websocket and the Noise handshake. Test use only.
package waserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"

	_ "github.com/warest-go/warest/adapters/whatsmeow/quietsignal" // phones and servers sign in parallel tests
)

// Server speaks WhatsApp's chat protocol to whatsmeow clients.
type Server struct {
	static *keys.KeyPair
	chain  []byte
	http   *httptest.Server
	mux    *http.ServeMux
	media  *mediaHost

	mu       sync.Mutex
	payloads []*waWa6.ClientPayload
	pending  map[string]*conn      // pairing ref → unpaired connection
	devices  map[string]*device    // "user.device" → paired device
	bundles  map[string]*keyBundle // "user.device" → its uploaded keys
	online   map[string]*conn      // "user.device" → its logged-in connection
	iqs      map[string]int        // "xmlns type" → client IQs answered
	nextID   int
	linking  map[[32]byte]chan struct{} // noise key → a pairing in flight, closed once it ends
	early    bool                       // the next pairing restarts the stream before the client answers

	outboxes    map[string]*outbox       // "user.device" → stanzas owed to it
	attempts    []Attempt                // message stanzas received, oldest first
	faults      map[string]relayFault    // message id → what goes wrong with its next relayed copy
	pushNames   map[string]string        // phone user → name from its presence
	presences   map[string]*presence     // phone user → last announced presence
	subscribers map[string][]subscriber  // phone user → who asked for its presence
	groups      groupStore               // groups.go
	profiles    profileStore             // pictures.go
	calls       map[string]*call         // call id → a call a phone placed (calls.go)
	appStates   map[string]*accountState // phone user → its app state (appstate.go)
}

// New starts a server that whatsmeow trusts (see Root), closed when the test ends.
func New(t testing.TB) *Server { return NewSignedBy(t, processRoot()) }

// NewSignedBy starts a server whose certificate chain hangs from root: with any
// root but the process's, clients must refuse it.
func NewSignedBy(t testing.TB, root *keys.KeyPair) *Server {
	s, err := start(root, "")
	if err != nil {
		t.Fatalf("waserver: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start runs a server outside a test (see cmd/waserver) on a free local port; Close stops it.
func Start() (*Server, error) { return StartAt("") }

// StartAt is Start on the address addr ("" or "127.0.0.1:0" for a free port).
func StartAt(addr string) (*Server, error) { return start(processRoot(), addr) }

func start(root *keys.KeyPair, addr string) (*Server, error) {
	processRoot()
	s := &Server{static: keys.NewKeyPair(), pending: map[string]*conn{}, devices: map[string]*device{}, bundles: map[string]*keyBundle{},
		online: map[string]*conn{}, linking: map[[32]byte]chan struct{}{}, iqs: map[string]int{}, outboxes: map[string]*outbox{}, faults: map[string]relayFault{},
		pushNames: map[string]string{}, presences: map[string]*presence{}, subscribers: map[string][]subscriber{},
		media: newMediaHost(), mux: http.NewServeMux()}
	chain, err := certChain(root, *s.static.Pub)
	if err != nil {
		return nil, fmt.Errorf("cert chain: %w", err)
	}
	s.chain = chain
	s.mux.HandleFunc("/ws/chat", s.serveWS)
	s.media.routes(s.mux)
	s.mux.HandleFunc(picturePath, s.servePicture)
	var l net.Listener
	if addr != "" {
		if l, err = net.Listen("tcp", addr); err != nil {
			return nil, err
		}
	}
	s.http = httptest.NewUnstartedServer(s.mux)
	if l != nil {
		_ = s.http.Listener.Close()
		s.http.Listener = l
	}
	s.http.Start()
	return s, nil
}

// Close stops accepting connections; open websockets end with the process or when their clients leave.
func (s *Server) Close() { s.http.Close() }

// Handle adds an HTTP route to the server, for a control API beside the protocol (cmd/waserver).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// URL is the server's base address, for WAREST_WA_TEST_SERVER.
func (s *Server) URL() string { return s.http.URL }

// Attach points the client's websocket (before and after pairing) and its media
// requests at this server, as the gateway's WAREST_WA_TEST_SERVER setting does.
func (s *Server) Attach(cli *whatsmeow.Client) {
	target, _ := url.Parse(s.http.URL)
	h := &http.Client{Transport: redirect{target: target, next: &http.Transport{}}}
	cli.SetPreLoginHTTPClient(h)
	cli.SetWebsocketHTTPClient(h)
	cli.SetMediaHTTPClient(h)
}

// ClientPayloads are the handshake payloads received so far, oldest first.
func (s *Server) ClientPayloads() []*waWa6.ClientPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*waWa6.ClientPayload(nil), s.payloads...)
}

// redirect sends whatsmeow's wss://web.whatsapp.com requests to the local server as plain ws.
type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.target.Scheme, r.target.Host
	return r.next.RoundTrip(req)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"web.whatsapp.com"}})
	if err != nil {
		return
	}
	ws.SetReadLimit(maxFrame + 8)
	defer ws.CloseNow()
	c := &conn{srv: s, frames: &frameConn{ws: ws}, waiting: map[string]chan *waBinary.Node{}, gone: make(chan struct{})}
	defer close(c.gone)
	ctx := r.Context()
	payload, err := c.handshake(ctx)
	if err != nil {
		ws.Close(websocket.StatusProtocolError, "handshake failed")
		return
	}
	s.mu.Lock()
	s.payloads = append(s.payloads, payload)
	s.mu.Unlock()
	c.serve(ctx, payload)
	c.goOffline()
}

// conn is one client connection after the websocket upgrade.
type conn struct {
	srv          *Server
	frames       *frameConn
	clientStatic [32]byte
	read, write  *transportCipher

	sendMu  sync.Mutex
	mu      sync.Mutex
	waiting map[string]chan *waBinary.Node
	pairing *registration
	device  *device       // set once logged in
	gone    chan struct{} // closed when the connection has ended
}

func (c *conn) handshake(ctx context.Context) (*waWa6.ClientPayload, error) {
	var hello waWa6.HandshakeMessage
	if err := c.readProto(ctx, &hello); err != nil {
		return nil, err
	}
	clientEph := hello.GetClientHello().GetEphemeral()
	if len(clientEph) != 32 {
		return nil, errors.New("client hello without ephemeral key")
	}
	h := newHandshake(socket.WAConnHeader)
	h.mixHash(clientEph)
	eph := keys.NewKeyPair()
	h.mixHash(eph.Pub[:])
	if err := h.mixDH(*eph.Priv, [32]byte(clientEph)); err != nil {
		return nil, err
	}
	static := h.encrypt(c.srv.static.Pub[:])
	if err := h.mixDH(*c.srv.static.Priv, [32]byte(clientEph)); err != nil {
		return nil, err
	}
	certs := h.encrypt(c.srv.chain)
	hs, err := proto.Marshal(&waWa6.HandshakeMessage{ServerHello: &waWa6.HandshakeMessage_ServerHello{
		Ephemeral: eph.Pub[:], Static: static, Payload: certs}})
	if err != nil {
		return nil, err
	}
	if err := c.frames.write(ctx, hs); err != nil {
		return nil, err
	}
	var finish waWa6.HandshakeMessage
	if err := c.readProto(ctx, &finish); err != nil {
		return nil, err
	}
	clientStatic, err := h.decrypt(finish.GetClientFinish().GetStatic())
	if err != nil || len(clientStatic) != 32 {
		return nil, fmt.Errorf("client static: %v", err)
	}
	c.clientStatic = [32]byte(clientStatic)
	if err := h.mixDH(*eph.Priv, c.clientStatic); err != nil {
		return nil, err
	}
	raw, err := h.decrypt(finish.GetClientFinish().GetPayload())
	if err != nil {
		return nil, fmt.Errorf("client payload: %w", err)
	}
	var payload waWa6.ClientPayload
	if err := proto.Unmarshal(raw, &payload); err != nil {
		return nil, err
	}
	c.read, c.write = h.split()
	return &payload, nil
}

func (c *conn) readProto(ctx context.Context, m proto.Message) error {
	frame, err := c.frames.read(ctx)
	if err != nil {
		return err
	}
	return proto.Unmarshal(frame, m)
}

func (c *conn) serve(ctx context.Context, payload *waWa6.ClientPayload) {
	if err := c.login(ctx, payload); err != nil {
		return
	}
	for {
		frame, err := c.frames.read(ctx)
		if err != nil {
			return
		}
		plain, err := c.read.open(frame)
		if err != nil {
			return
		}
		if plain, err = waBinary.Unpack(plain); err != nil {
			return
		}
		node, err := waBinary.Unmarshal(plain)
		if err != nil {
			return
		}
		if node.Tag == "iq" {
			go c.handle(ctx, node) // an IQ handler may wait for the client
		} else {
			c.handle(ctx, node) // stanzas (messages, receipts, presence) in the order the client sent them
		}
	}
}

// send encrypts one node; sends are serialised because the counter orders them.
func (c *conn) send(ctx context.Context, node waBinary.Node) error {
	raw, err := waBinary.Marshal(node)
	if err != nil {
		return err
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	return c.frames.write(ctx, c.write.seal(raw))
}

// request sends an iq and waits for the client's result or error with the same id.
func (c *conn) request(ctx context.Context, node waBinary.Node) (*waBinary.Node, error) {
	answer, err := c.ask(ctx, node)
	if err != nil {
		return nil, err
	}
	return awaitAnswer(ctx, answer)
}

// ask sends an iq and returns where its answer will arrive.
func (c *conn) ask(ctx context.Context, node waBinary.Node) (<-chan *waBinary.Node, error) {
	id := c.srv.newID()
	node.Attrs["id"] = id
	ch := make(chan *waBinary.Node, 1)
	c.mu.Lock()
	c.waiting[id] = ch
	c.mu.Unlock()
	if err := c.send(ctx, node); err != nil {
		return nil, err
	}
	return ch, nil
}

func awaitAnswer(ctx context.Context, answer <-chan *waBinary.Node) (*waBinary.Node, error) {
	select {
	case resp := <-answer:
		return resp, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return fmt.Sprintf("srv-%d", s.nextID)
}
