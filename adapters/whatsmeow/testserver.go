package whatsmeow

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	wm "go.mau.fi/whatsmeow"
)

// TestServer points the transport at a WhatsApp-protocol test server instead of
// WhatsApp: a testing aid (see test/waserver), never for production. Every
// websocket and media request goes to URL, and the server's certificate chain is
// checked against Root instead of WhatsApp's own key.
type TestServer struct {
	URL  *url.URL
	Root [32]byte
}

// ParseTestServer reads the setting: an http(s) base URL and the root public key
// in standard base64, as the test server prints them.
func ParseTestServer(rawURL, root string) (*TestServer, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("test server URL %q: want http(s)://host:port", rawURL)
	}
	key, err := base64.StdEncoding.DecodeString(root)
	if err != nil || len(key) != 32 {
		return nil, errors.New("test server root: want the 32-byte public key in base64")
	}
	return &TestServer{URL: u, Root: [32]byte(key)}, nil
}

// trust makes every whatsmeow client of this process accept the test server's
// certificates. WACertPubKey is a package variable that clients read unlocked:
// the setting is process-wide, and it is written (under trustMu, so two
// transports never write it at once) only when it changes, which in one process
// is once: clients already connected keep reading it undisturbed.
func (ts *TestServer) trust() {
	trustMu.Lock()
	defer trustMu.Unlock()
	if wm.WACertPubKey != ts.Root {
		wm.WACertPubKey = ts.Root
	}
}

var trustMu sync.Mutex

// route sends all of one client's traffic (pairing, chat, media) to the server.
func (ts *TestServer) route(cli *wm.Client) {
	hc := &http.Client{Transport: redirect{target: ts.URL, next: http.DefaultTransport}}
	cli.SetPreLoginHTTPClient(hc)
	cli.SetWebsocketHTTPClient(hc)
	cli.SetMediaHTTPClient(hc)
}

// redirect rewrites the scheme and host of WhatsApp's URLs (wss://web.whatsapp.com,
// https://mmg.whatsapp.net…) to the test server's, keeping path and query.
type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.target.Scheme, r.target.Host
	req.Host = r.target.Host
	return r.next.RoundTrip(req)
}
