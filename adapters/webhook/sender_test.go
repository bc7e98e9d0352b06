package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/warest-go/warest/domain/netpolicy"
	"github.com/warest-go/warest/ports"
)

func TestSendPostsBodyAndHeaders(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, ua, ctype, sig string
		body                   []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.UserAgent(), r.Header.Get("Content-Type"), r.Header.Get("X-Signature"), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	resp, err := New(Config{}).Send(context.Background(), ports.WebhookRequest{
		URL: srv.URL, Body: []byte(`{"event":"x"}`), Headers: map[string]string{"X-Signature": "sig"}, Reach: netpolicy.Private,
	})
	if err != nil || resp.Status != http.StatusNoContent {
		t.Fatalf("Send = %d, %v", resp.Status, err)
	}
	s := <-got
	if s.method != http.MethodPost || s.ua != "WAREST/1 (webhook) Go" || s.ctype != "application/json" ||
		s.sig != "sig" || string(s.body) != `{"event":"x"}` {
		t.Fatalf("request = %+v", s)
	}
}

func TestSendReturnsServerErrorStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	resp, err := New(Config{}).Send(context.Background(), ports.WebhookRequest{URL: srv.URL, Reach: netpolicy.Private})
	if err != nil || resp.Status != http.StatusServiceUnavailable {
		t.Fatalf("Send = %d, %v", resp.Status, err)
	}
}

func TestSendTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)

	start := time.Now()
	resp, err := New(Config{Timeout: time.Minute}).Send(context.Background(),
		ports.WebhookRequest{URL: srv.URL, Timeout: 50 * time.Millisecond, Reach: netpolicy.Private})
	if err == nil || resp.Status != 0 {
		t.Fatalf("Send = %d, %v; want timeout error", resp.Status, err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("request timeout ignored")
	}
}

func TestConfigTimeoutAppliesWhenRequestHasNone(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	if _, err := New(Config{Timeout: 50 * time.Millisecond}).Send(context.Background(),
		ports.WebhookRequest{URL: srv.URL, Reach: netpolicy.Private}); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("%v, want timeout error", err)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		followed.Add(1)
	}))
	defer target.Close()
	srv := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	defer srv.Close()

	resp, err := New(Config{}).Send(context.Background(), ports.WebhookRequest{URL: srv.URL, Body: []byte("{}"), Reach: netpolicy.Private})
	if err != nil || resp.Status != http.StatusTemporaryRedirect {
		t.Fatalf("Send = %d, %v", resp.Status, err)
	}
	if followed.Load() != 0 {
		t.Fatal("redirect was followed")
	}
}

func TestHugeResponseBodyIsCutAtLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	done := make(chan struct{})
	var resp ports.WebhookResponse
	var err error
	go func() {
		defer close(done)
		resp, err = New(Config{Timeout: time.Minute}).Send(context.Background(), ports.WebhookRequest{URL: srv.URL, Reach: netpolicy.Private})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("endless response body hung the sender")
	}
	if err != nil || resp.Status != http.StatusOK || len(resp.Body) != 64<<10 {
		t.Fatalf("Send = %d, %d bytes, %v", resp.Status, len(resp.Body), err)
	}
}

func TestUnreachableReceiverIsAnError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	resp, err := New(Config{}).Send(context.Background(), ports.WebhookRequest{URL: url, Reach: netpolicy.Private})
	if err == nil || resp.Status != 0 || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Send = %d, %v", resp.Status, err)
	}
}

func TestModuleProvidesSender(t *testing.T) {
	t.Parallel()
	if err := fx.ValidateApp(Module, fx.Invoke(func(ports.WebhookSender) {})); err != nil {
		t.Fatal(err)
	}
}

func TestReceiverAddressPolicy(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	s := New(Config{Timeout: time.Second})
	send := func(url string, reach netpolicy.Reach) error {
		_, err := s.Send(context.Background(), ports.WebhookRequest{URL: url, Reach: reach})
		return err
	}
	// Private reach lets a receiver on this host through...
	if err := send(srv.URL, netpolicy.Private); err != nil || hits.Load() != 1 {
		t.Fatalf("local receiver with Private reach: %v (%d hits)", err, hits.Load())
	}
	// ...public reach (the zero value) does not, by address or by a name resolving
	// to it, and the connection the private request left open is not reused.
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, url := range []string{srv.URL, local} {
		if err := send(url, netpolicy.Public); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("%s with Public reach: %v, want refused", url, err)
		}
	}
	// No reach dials the metadata services, whatever the spelling.
	for _, url := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/",
		"http://168.63.129.16/", "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[fe80::1]:8080/", "http://0.0.0.0:1/"} {
		for _, reach := range []netpolicy.Reach{netpolicy.Public, netpolicy.Private} {
			if err := send(url, reach); err == nil || !strings.Contains(err.Error(), "not allowed") {
				t.Errorf("%s with reach %d: %v, want refused", url, reach, err)
			}
		}
	}
	if hits.Load() != 1 {
		t.Fatalf("the receiver got %d requests, want the one allowed", hits.Load())
	}
}
