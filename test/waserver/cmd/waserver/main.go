// Command waserver runs the WhatsApp-protocol test server on its own, to try the
// gateway against it by hand: it prints the two settings that point a gateway at
// it, and offers a small control API to play the phone.
//
//	go run ./test/waserver/cmd/waserver -addr 127.0.0.1:8899
//	curl -d '{"qr":"<the gateway QR code text>","phone":"15550001111"}' http://127.0.0.1:8899/scan
//	curl -d '{"code":"ABCD-EFGH","phone":"15550001111"}' http://127.0.0.1:8899/code
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/test/waserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address of the server (protocol, media and control API)")
	flag.Parse()
	srv, err := waserver.StartAt(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "waserver:", err)
		os.Exit(1)
	}
	defer srv.Close()
	addControl(srv)
	fmt.Print(settings(srv))
	fmt.Fprintln(os.Stderr, "control API: POST /scan {qr, phone}, POST /code {code, phone}; Ctrl-C stops")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}

// settings are the gateway's environment lines that point it at srv.
func settings(srv *waserver.Server) string {
	root := waserver.Root()
	return fmt.Sprintf("WAREST_WA_TEST_SERVER=%s\nWAREST_WA_TEST_SERVER_ROOT=%s\n", srv.URL(), base64.StdEncoding.EncodeToString(root[:]))
}

// control plays the phones: one simulated primary device per number, made on first use.
type control struct {
	srv    *waserver.Server
	mu     sync.Mutex
	phones map[string]*waserver.Phone
}

// addControl adds the control API's routes to srv.
func addControl(srv *waserver.Server) {
	c := &control{srv: srv, phones: map[string]*waserver.Phone{}}
	srv.Handle("POST /scan", c.link(func(ctx context.Context, p *waserver.Phone, r linkRequest) (types.JID, error) {
		return srv.Scan(ctx, p, r.QR)
	}))
	srv.Handle("POST /code", c.link(func(ctx context.Context, p *waserver.Phone, r linkRequest) (types.JID, error) {
		return srv.EnterCode(ctx, p, r.Code)
	}))
}

type linkRequest struct {
	Phone string `json:"phone"` // the number, digits only
	QR    string `json:"qr"`    // for /scan: the QR code's text
	Code  string `json:"code"`  // for /code: the pairing code
}

// link answers {"jid": …} once the phone has linked the device, or 400 {"error": …}.
func (c *control) link(do func(context.Context, *waserver.Phone, linkRequest) (types.JID, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req linkRequest
		err := json.NewDecoder(r.Body).Decode(&req)
		if _, numErr := strconv.ParseUint(req.Phone, 10, 64); err == nil && numErr != nil {
			err = fmt.Errorf("phone %q: want the number in digits", req.Phone)
		}
		var jid types.JID
		if err == nil {
			ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
			defer cancel()
			jid, err = do(ctx, c.phone(req.Phone), req)
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"jid": jid.String()})
	})
}

func (c *control) phone(number string) *waserver.Phone {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.phones[number]
	if p == nil {
		// WhatsApp's hidden LID users are 15-digit numbers unrelated to the phone number.
		p = waserver.NewPhone(number, strconv.FormatInt(1e14+rand.Int64N(9e14), 10))
		c.phones[number] = p
	}
	return p
}
