// Package mediafetch downloads client-given media URLs without letting a client reach
// our own network: every dial (the first request, each redirect) checks the address
// DNS resolved to, and bodies are capped.
package mediafetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"syscall"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/ports"
)

// Config tunes the fetcher. Allow decides which resolved addresses may be dialled;
// nil means netpolicy.PublicOnly (tests allow their loopback server explicitly).
type Config struct {
	Timeout      time.Duration // whole download; UPLOAD_FETCH_TIMEOUT_MS, default 60 s
	MaxRedirects int           // default 5
	Allow        netpolicy.Allow
}

// Fetcher implements ports.MediaFetcher.
type Fetcher struct {
	client  *http.Client
	timeout time.Duration
}

var _ ports.MediaFetcher = (*Fetcher)(nil)

// errBlocked marks a dial refused by the policy.
var errBlocked = errors.New("address not allowed")

func New(cfg Config) *Fetcher {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = 5
	}
	allow := cfg.Allow
	if allow == nil {
		allow = netpolicy.PublicOnly
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		// Control runs after DNS resolution, on the exact address about to be dialled,
		// for the first request and every redirect: no rebinding window.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !allow(ap.Addr()) {
				return fmt.Errorf("%w: %s", errBlocked, address)
			}
			return nil
		},
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us and bypass the check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= cfg.MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", cfg.MaxRedirects)
		}
		return checkScheme(req.URL)
	}}
	return &Fetcher{client: client, timeout: cfg.Timeout}
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fault.New(fault.KindInvalid, ports.ReasonFetchBlocked, "only http and https URLs can be fetched")
	}
	if u.Host == "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "URL has no host")
	}
	return nil
}

// Fetch downloads rawURL, refusing bodies over limit bytes (limit <= 0: no cap).
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, limit int64) (ports.FetchedMedia, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ports.FetchedMedia{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid URL")
	}
	if err := checkScheme(u); err != nil {
		return ports.FetchedMedia{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return ports.FetchedMedia{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid URL")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return ports.FetchedMedia{}, fetchError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return ports.FetchedMedia{}, fault.New(fault.KindUnavailable, ports.ReasonFetchFailed, "fetching the media URL returned HTTP %d", resp.StatusCode)
	}
	if limit > 0 && resp.ContentLength > limit {
		return ports.FetchedMedia{}, tooLarge(limit)
	}
	r := io.Reader(resp.Body)
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return ports.FetchedMedia{}, fetchError(err)
	}
	if limit > 0 && int64(len(data)) > limit {
		return ports.FetchedMedia{}, tooLarge(limit)
	}
	return ports.FetchedMedia{Data: data, MIME: resp.Header.Get("Content-Type"), FileName: fileName(resp)}, nil
}

func tooLarge(limit int64) error {
	return fault.New(fault.KindTooLarge, ports.ReasonTooLarge, "media URL body exceeds %d bytes", limit)
}

func fetchError(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	if errors.Is(err, errBlocked) {
		return fault.New(fault.KindInvalid, ports.ReasonFetchBlocked, "the media URL points to a private or reserved address")
	}
	return fault.Wrap(err, fault.KindUnavailable, ports.ReasonFetchFailed, "fetching the media URL failed")
}

func fileName(resp *http.Response) string {
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return path.Base(params["filename"])
	}
	if b := path.Base(resp.Request.URL.Path); b != "/" && b != "." {
		return b
	}
	return ""
}
