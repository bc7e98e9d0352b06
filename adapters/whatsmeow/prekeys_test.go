package whatsmeow

import (
	"io"
	"log/slog"
	"testing"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
)

// A pairing's prekeys are made in one transaction: a failure part way leaves none of
// them (made one commit each, the keys before the failure would stay).
func TestPairingPreKeysAreMadeInOneTransaction(t *testing.T) {
	db := openDB(t)
	tr, err := New(t.Context(), offline(t), db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	dev := tr.container.NewDevice()
	dev.ID = &types.JID{User: "6281200000001", Server: types.DefaultUserServer, Device: 7}
	sig := make([]byte, 64)
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: sig, AccountSignatureKey: make([]byte, 32), DeviceSignature: sig}
	if err := dev.Container.PutDevice(t.Context(), dev); err != nil { // as a pairing does
		t.Fatal(err)
	}
	count := func() (n int) {
		t.Helper()
		if err := db.DB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM whatsmeow_pre_keys").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := db.DB.ExecContext(t.Context(), `CREATE TRIGGER fail_midway BEFORE INSERT ON whatsmeow_pre_keys
		WHEN NEW.key_id = 500 BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.PreKeys.GetOrGenPreKeys(t.Context(), 812); err == nil {
		t.Fatal("prekeys made past a failing insert")
	}
	if n := count(); n != 0 {
		t.Fatalf("%d prekeys left by a failed generation, want 0 (one transaction)", n)
	}
	if _, err := db.DB.ExecContext(t.Context(), "DROP TRIGGER fail_midway"); err != nil {
		t.Fatal(err)
	}
	made, err := dev.PreKeys.GetOrGenPreKeys(t.Context(), 812)
	if err != nil || len(made) != 812 || count() != 812 {
		t.Fatalf("made %d prekeys (%v), stored %d; want 812", len(made), err, count())
	}
}
