package waserver_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/test/waserver"
)

// requestCode connects cli and asks, as the gateway does, for a pairing code for phone's number.
func requestCode(t *testing.T, cli *whatsmeow.Client, evts <-chan any, phone *waserver.Phone) string {
	t.Helper()
	if err := cli.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	await[*events.QR](t, evts) // whatsmeow's advice: the connection is ready once the QR code is there
	code, err := cli.PairPhone(t.Context(), "+"+phone.User, false, whatsmeow.PairClientChrome, "Chrome (Linux)")
	if err != nil {
		t.Fatalf("pair phone: %v", err)
	}
	return code
}

func TestPairCodeThenLogin(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	phone := waserver.NewPhone("15550001111", "100200300")
	code := requestCode(t, cli, evts, phone)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // PBKDF2 is slow under -race
	defer cancel()
	jid, err := srv.EnterCode(ctx, phone, code)
	if err != nil {
		t.Fatalf("enter code: %v", err)
	}
	paired := await[*events.PairSuccess](t, evts)
	if paired.ID != jid || paired.LID.User != phone.LIDUser {
		t.Errorf("paired as %v/%v, want %v and LID user %s", paired.ID, paired.LID, jid, phone.LIDUser)
	}
	await[*events.Connected](t, evts)
	if cli.Store.ID == nil || *cli.Store.ID != jid {
		t.Errorf("store ID = %v, want %v", cli.Store.ID, jid)
	}
}

func TestPairCodeFailsOnWrongCodeOrPhone(t *testing.T) {
	srv := waserver.New(t)
	cli, evts := newClient(t, srv)
	phone := waserver.NewPhone("15550001111", "100200300")
	code := requestCode(t, cli, evts, phone)
	// Each code entry runs PBKDF2 (131072 rounds) twice on each side: slow under -race.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	if _, err := srv.EnterCode(ctx, waserver.NewPhone("15550002222", "100200400"), code); err == nil {
		t.Fatal("a phone the device did not ask for took its code")
	}
	wrong := []byte(code)
	wrong[0] = map[bool]byte{true: '2', false: '1'}[wrong[0] == '1']
	if _, err := srv.EnterCode(ctx, phone, string(wrong)); !errors.Is(err, waserver.ErrCodeRejected) {
		t.Fatalf("code %s for %s: err = %v, want ErrCodeRejected", wrong, code, err)
	}
	// The server refused the companion's key bundle before any pair-success.
	for len(evts) > 0 {
		if e, ok := (<-evts).(*events.PairSuccess); ok {
			t.Fatalf("paired with a wrong code: %+v", e)
		}
	}
	if cli.Store.ID != nil {
		t.Fatalf("client stored ID %v after a wrong code", cli.Store.ID)
	}

	// The device still waits: the right code links it.
	jid, err := srv.EnterCode(ctx, phone, code)
	if err != nil {
		t.Fatalf("right code after a wrong one: %v", err)
	}
	if paired := await[*events.PairSuccess](t, evts); paired.ID != jid {
		t.Errorf("paired as %v, want %v", paired.ID, jid)
	}
}
