package main

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite"

	"github.com/warest-go/warest/test/waserver"
)

func TestSettingsPointAtTheServer(t *testing.T) {
	srv := waserver.New(t)
	root := waserver.Root()
	want := "WAREST_WA_TEST_SERVER=" + srv.URL() + "\nWAREST_WA_TEST_SERVER_ROOT=" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
	if got := settings(srv); got != want {
		t.Errorf("settings = %q, want %q", got, want)
	}
}

// TestControlScanLinksAClient is the manual flow: a client shows a QR code, a person
// posts it to /scan, the client is paired.
func TestControlScanLinksAClient(t *testing.T) {
	srv := waserver.New(t)
	addControl(srv)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "wa.db")+"?_pragma=foreign_keys(1)&_pragma=synchronous(OFF)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	container := sqlstore.NewWithDB(db, "sqlite", waLog.Noop)
	if err := container.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	cli := whatsmeow.NewClient(container.NewDevice(), waLog.Noop)
	srv.Attach(cli)
	qrs, paired := make(chan string, 1), make(chan *events.PairSuccess, 1)
	cli.AddEventHandler(func(e any) {
		switch e := e.(type) { // never block the client's event loop
		case *events.QR:
			select {
			case qrs <- e.Codes[0]:
			default:
			}
		case *events.PairSuccess:
			select {
			case paired <- e:
			default:
			}
		}
	})
	t.Cleanup(cli.Disconnect)
	if err := cli.Connect(); err != nil {
		t.Fatal(err)
	}
	qr := receive(t, qrs)

	if status, body := post(t, srv.URL()+"/scan", `{"qr":"not a QR code","phone":"15550001111"}`); status != 400 || body["error"] == "" {
		t.Errorf("bad QR: %d %v, want 400 with an error", status, body)
	}
	if status, body := post(t, srv.URL()+"/code", `{"code":"ABCD-EFGH","phone":"15550001111"}`); status != 400 || body["error"] == "" {
		t.Errorf("code nobody asked for: %d %v, want 400 with an error", status, body)
	}
	qrJSON, _ := json.Marshal(qr)
	status, body := post(t, srv.URL()+"/scan", `{"qr":`+string(qrJSON)+`,"phone":"15550001111"}`)
	if status != 200 || !strings.HasPrefix(body["jid"], "15550001111:") {
		t.Fatalf("scan: %d %v, want the device JID", status, body)
	}
	if got := receive(t, paired).ID.String(); got != body["jid"] {
		t.Errorf("client paired as %s, control API said %s", got, body["jid"])
	}
}

func post(t *testing.T, url, body string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp.StatusCode, out
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		var zero T
		t.Fatalf("no %T within 10 s", zero)
		return zero
	}
}
