package mysqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/adapters/store/mysql"
	"github.com/warest-go/warest/adapters/store/sqlite"
	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore"
	"github.com/warest-go/warest/test/contract"
)

// The device store contract: what whatsmeow relies on from its store, played on
// whatsmeow's own sqlstore (SQLite, the reference) and on ours (MariaDB/MySQL), with
// the same cases. The MySQL run skips loudly without WAREST_TEST_MYSQL_URL and fails
// under WAREST_REQUIRE_MYSQL=1.

// container is the device container surface the whatsmeow adapter uses.
type container interface {
	NewDevice() *store.Device
	GetDevice(ctx context.Context, jid types.JID) (*store.Device, error)
	GetAllDevices(ctx context.Context) ([]*store.Device, error)
	PutDevice(ctx context.Context, device *store.Device) error
}

func TestDeviceStoreContractOnSQLStore(t *testing.T) {
	t.Parallel()
	runDeviceStoreContract(t, func(t *testing.T) container {
		s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "warest.db")}, contract.Sealer{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		c := sqlstore.NewWithDB(s.DB(), "sqlite", nil)
		if err := c.Upgrade(t.Context()); err != nil {
			t.Fatal(err)
		}
		return c
	})
}

func TestDeviceStoreContractOnMySQL(t *testing.T) {
	t.Parallel()
	contract.MySQLDSN(t) // skips loudly, or fails under WAREST_REQUIRE_MYSQL=1
	runDeviceStoreContract(t, func(t *testing.T) container { return mysqlstore.New(openMySQL(t), nil) })
}

// openMySQL opens the gateway's MySQL store (which migrates) on a fresh database and
// returns its pool, as the gateway hands it to the whatsmeow adapter.
func openMySQL(t *testing.T) *sql.DB {
	t.Helper()
	s, err := mysql.Open(t.Context(), mysql.Config{DSN: contract.MySQLDatabaseDSN(t)}, contract.Sealer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s.DB()
}

func runDeviceStoreContract(t *testing.T, open func(t *testing.T) container) {
	cases := []struct {
		name string
		run  func(t *testing.T, c container)
	}{
		{"devices are stored when paired, keep their keys and are deleted with everything they hold", devicesRoundTrip},
		{"identities are trusted until known, then only the stored key", identities},
		{"sessions are keyed by address, many at once, and deleted by phone number", sessions},
		{"a phone number's sessions, identities and sender keys move to its LID", migrateToLID},
		{"prekeys: 812 at once, the same until uploaded, then new ids", preKeys},
		{"sender keys are kept per group and sender", senderKeys},
		{"app state sync keys: a newer key replaces, an older one does not", appStateSyncKeys},
		{"app state versions and mutation MACs", appStateVersions},
		{"contact names report what changed and what was there", contacts},
		{"chat settings", chatSettings},
		{"message secrets are found by phone number or LID, the first one kept", messageSecrets},
		{"privacy tokens: the newest wins, found by either JID, expired ones deleted", privacyTokens},
		{"the LID map keeps one LID per phone number, per device", lidMap},
		{"the decryption buffer and its transaction", eventBuffer},
		{"the retry buffer finds a sent message by either chat JID", retryBuffer},
		{"the NCT salt", nctSalt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// paired stores a device as pairing leaves it, for the phone number user, and
// returns it as read back.
func paired(t *testing.T, c container, user string) *store.Device {
	t.Helper()
	d := c.NewDevice()
	jid := types.JID{User: user, Device: 7, Server: types.DefaultUserServer}
	d.ID = &jid
	d.LID = types.JID{User: "9" + user, Device: 7, Server: types.HiddenUserServer}
	d.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("details"), AccountSignature: fill(64, 1),
		AccountSignatureKey: fill(32, 2), DeviceSignature: fill(64, 3)}
	d.Platform, d.PushName = "android", "Alice"
	d.FacebookUUID = uuid.MustParse("6f1c1a52-3b2e-4f51-9d37-2f0b3c1d8e77")
	must(t, c.PutDevice(t.Context(), d))
	got, err := c.GetDevice(t.Context(), jid)
	if err != nil || got == nil {
		t.Fatalf("GetDevice after PutDevice: %v, %v", got, err)
	}
	return got
}

func fill(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func pnJID(user string, device uint16) types.JID {
	return types.JID{User: user, Device: device, Server: types.DefaultUserServer}
}

func lidJID(user string, device uint16) types.JID {
	return types.JID{User: user, Device: device, Server: types.HiddenUserServer}
}

func devicesRoundTrip(t *testing.T, c container) {
	ctx := t.Context()
	fresh := c.NewDevice()
	if err := c.PutDevice(ctx, fresh); err == nil {
		t.Error("PutDevice of an unpaired device (no JID) succeeded")
	}
	if all, err := c.GetAllDevices(ctx); err != nil || len(all) != 0 {
		t.Fatalf("GetAllDevices before pairing: %d, %v; want none", len(all), err)
	}
	if d, err := c.GetDevice(ctx, pnJID("1555", 7)); d != nil || err != nil {
		t.Fatalf("GetDevice of an unknown JID: %v, %v; want nil, nil", d, err)
	}

	d := c.NewDevice()
	jid := pnJID("1555", 7)
	d.ID = &jid
	d.LID = lidJID("91555", 7)
	d.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte("details"), AccountSignature: fill(64, 1),
		AccountSignatureKey: fill(32, 2), DeviceSignature: fill(64, 3)}
	d.Platform, d.BusinessName, d.PushName = "android", "Shop", "Alice"
	d.FacebookUUID = uuid.MustParse("6f1c1a52-3b2e-4f51-9d37-2f0b3c1d8e77")
	d.LIDMigrationTimestamp, d.CompanionMetaNonce = 1700000000, "nonce"
	must(t, d.Save(ctx))
	if !d.Initialized || d.Sessions == nil || d.LIDs == nil {
		t.Fatal("a saved device has no stores")
	}

	got, err := c.GetDevice(ctx, jid)
	if err != nil || got == nil {
		t.Fatalf("GetDevice: %v, %v", got, err)
	}
	if *got.NoiseKey.Priv != *d.NoiseKey.Priv || *got.IdentityKey.Priv != *d.IdentityKey.Priv ||
		*got.SignedPreKey.Priv != *d.SignedPreKey.Priv || got.SignedPreKey.KeyID != d.SignedPreKey.KeyID ||
		*got.SignedPreKey.Signature != *d.SignedPreKey.Signature || got.RegistrationID != d.RegistrationID ||
		!bytes.Equal(got.AdvSecretKey, d.AdvSecretKey) {
		t.Error("the keys read back differ from those stored")
	}
	if !bytes.Equal(got.Account.Details, d.Account.Details) || !bytes.Equal(got.Account.AccountSignature, d.Account.AccountSignature) ||
		!bytes.Equal(got.Account.AccountSignatureKey, d.Account.AccountSignatureKey) ||
		!bytes.Equal(got.Account.DeviceSignature, d.Account.DeviceSignature) {
		t.Error("the account identity read back differs")
	}
	if got.LID != d.LID || got.Platform != "android" || got.BusinessName != "Shop" || got.PushName != "Alice" ||
		got.FacebookUUID != d.FacebookUUID || got.LIDMigrationTimestamp != 1700000000 || got.CompanionMetaNonce != "nonce" {
		t.Errorf("read back %s %q %q %q %s %d %q", got.LID, got.Platform, got.BusinessName, got.PushName,
			got.FacebookUUID, got.LIDMigrationTimestamp, got.CompanionMetaNonce)
	}

	// A later save updates what WhatsApp tells the device, never its keys.
	original := *got.NoiseKey.Priv
	got.PushName, got.NoiseKey = "Alice B", c.NewDevice().NoiseKey
	must(t, got.Save(ctx))
	again, err := c.GetDevice(ctx, jid)
	if err != nil || again.PushName != "Alice B" || *again.NoiseKey.Priv != original {
		t.Fatalf("after a second save: push name %q, noise key kept %v (%v)", again.PushName, *again.NoiseKey.Priv == original, err)
	}

	other := paired(t, c, "1666")
	all, err := c.GetAllDevices(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("GetAllDevices: %d, %v; want 2", len(all), err)
	}

	must(t, again.Sessions.PutSession(ctx, "1777:1", []byte("session")))
	must(t, again.Delete(ctx))
	if d, err := c.GetDevice(ctx, jid); d != nil || err != nil {
		t.Fatalf("GetDevice after Delete: %v, %v", d, err)
	}
	// Pairing the same number again starts with nothing of the deleted device.
	back := paired(t, c, "1555")
	if s, err := back.Sessions.GetSession(ctx, "1777:1"); s != nil || err != nil {
		t.Fatalf("a deleted device's session survived: %q, %v", s, err)
	}
	if d, err := c.GetDevice(ctx, *other.ID); d == nil || err != nil {
		t.Fatalf("deleting one device touched another: %v, %v", d, err)
	}
}

func identities(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "2000").Identities
	key, other := [32]byte(fill(32, 5)), [32]byte(fill(32, 6))
	if ok, err := d.IsTrustedIdentity(ctx, "2111:1", key); !ok || err != nil {
		t.Fatalf("unknown address: trusted %v, %v; want trusted", ok, err)
	}
	must(t, d.PutIdentity(ctx, "2111:1", key))
	must(t, d.PutIdentity(ctx, "2111:2", key))
	must(t, d.PutIdentity(ctx, "2222:1", key))
	if ok, _ := d.IsTrustedIdentity(ctx, "2111:1", key); !ok {
		t.Error("the stored key is not trusted")
	}
	if ok, _ := d.IsTrustedIdentity(ctx, "2111:1", other); ok {
		t.Error("another key is trusted for a known address")
	}
	must(t, d.PutIdentity(ctx, "2111:1", other))
	if ok, _ := d.IsTrustedIdentity(ctx, "2111:1", other); !ok {
		t.Error("PutIdentity did not replace the key")
	}
	must(t, d.DeleteIdentity(ctx, "2111:2"))
	if ok, _ := d.IsTrustedIdentity(ctx, "2111:2", other); !ok {
		t.Error("a deleted identity is still known")
	}
	must(t, d.DeleteAllIdentities(ctx, "2111"))
	if ok, _ := d.IsTrustedIdentity(ctx, "2111:1", key); !ok {
		t.Error("DeleteAllIdentities left the number's identity")
	}
	if ok, _ := d.IsTrustedIdentity(ctx, "2222:1", other); ok {
		t.Error("DeleteAllIdentities removed another number's identity")
	}
}

func sessions(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "3000").Sessions
	if s, err := d.GetSession(ctx, "3111:1"); s != nil || err != nil {
		t.Fatalf("unknown session: %q, %v", s, err)
	}
	if has, err := d.HasSession(ctx, "3111:1"); has || err != nil {
		t.Fatalf("HasSession of an unknown address: %v, %v", has, err)
	}
	must(t, d.PutSession(ctx, "3111:1", []byte("a")))
	must(t, d.PutSession(ctx, "3111:1", []byte("b")))
	must(t, d.PutManySessions(ctx, map[string][]byte{"3111:2": []byte("c"), "3222:1": []byte("d")}))
	if s, _ := d.GetSession(ctx, "3111:1"); string(s) != "b" {
		t.Errorf("GetSession after overwrite: %q", s)
	}
	if has, _ := d.HasSession(ctx, "3111:2"); !has {
		t.Error("HasSession after PutManySessions: false")
	}
	many, err := d.GetManySessions(ctx, []string{"3111:1", "3222:1", "3333:1"})
	if err != nil || len(many) != 3 || string(many["3111:1"]) != "b" || string(many["3222:1"]) != "d" || many["3333:1"] != nil {
		t.Fatalf("GetManySessions: %q, %v; want every address asked, nil for the unknown one", many, err)
	}
	if _, ok := many["3333:1"]; !ok {
		t.Error("GetManySessions leaves out an unknown address")
	}
	must(t, d.DeleteAllSessions(ctx, "3111"))
	if has, _ := d.HasSession(ctx, "3111:2"); has {
		t.Error("DeleteAllSessions left one of the number's sessions")
	}
	if has, _ := d.HasSession(ctx, "3222:1"); !has {
		t.Error("DeleteAllSessions removed another number's session")
	}
	must(t, d.DeleteSession(ctx, "3222:1"))
	if has, _ := d.HasSession(ctx, "3222:1"); has {
		t.Error("DeleteSession left the session")
	}
}

func migrateToLID(t *testing.T, c container) {
	ctx, dev := t.Context(), paired(t, c, "4000")
	pn, lid := pnJID("4111", 0), lidJID("94111", 0)
	from, to := pn.SignalAddressUser(), lid.SignalAddressUser()
	must(t, dev.Sessions.PutSession(ctx, from+":1", []byte("s1")))
	must(t, dev.Sessions.PutSession(ctx, from+":2", []byte("s2")))
	must(t, dev.Sessions.PutSession(ctx, to+":2", []byte("old")))
	must(t, dev.Identities.PutIdentity(ctx, from+":1", [32]byte(fill(32, 7))))
	must(t, dev.SenderKeys.PutSenderKey(ctx, "group@g.us", from+":1", []byte("sk")))
	must(t, dev.Sessions.PutSession(ctx, "4222:1", []byte("other")))

	must(t, dev.Sessions.MigratePNToLID(ctx, pn, lid))
	if s, _ := dev.Sessions.GetSession(ctx, to+":1"); string(s) != "s1" {
		t.Errorf("session at the LID: %q, want s1", s)
	}
	if s, _ := dev.Sessions.GetSession(ctx, to+":2"); string(s) != "s2" {
		t.Errorf("session at the LID over an older one: %q, want s2", s)
	}
	if has, _ := dev.Sessions.HasSession(ctx, from+":1"); has {
		t.Error("the phone number's session stayed")
	}
	if ok, _ := dev.Identities.IsTrustedIdentity(ctx, to+":1", [32]byte(fill(32, 8))); ok {
		t.Error("the identity did not move to the LID")
	}
	if ok, _ := dev.Identities.IsTrustedIdentity(ctx, from+":1", [32]byte(fill(32, 8))); !ok {
		t.Error("the phone number's identity stayed")
	}
	if k, _ := dev.SenderKeys.GetSenderKey(ctx, "group@g.us", to+":1"); string(k) != "sk" {
		t.Errorf("sender key at the LID: %q", k)
	}
	if k, _ := dev.SenderKeys.GetSenderKey(ctx, "group@g.us", from+":1"); k != nil {
		t.Error("the phone number's sender key stayed")
	}
	if s, _ := dev.Sessions.GetSession(ctx, "4222:1"); string(s) != "other" {
		t.Error("another number's session was touched")
	}
}

func preKeys(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "5000").PreKeys
	first, err := d.GetOrGenPreKeys(ctx, 812)
	if err != nil || len(first) != 812 {
		t.Fatalf("GetOrGenPreKeys(812): %d, %v", len(first), err)
	}
	for i, k := range first {
		if k.KeyID != uint32(i+1) {
			t.Fatalf("prekey %d has id %d, want %d", i, k.KeyID, i+1)
		}
	}
	again, err := d.GetOrGenPreKeys(ctx, 812)
	if err != nil || len(again) != 812 || *again[0].Priv != *first[0].Priv || again[811].KeyID != 812 {
		t.Fatalf("GetOrGenPreKeys before the upload does not return the same keys (%v)", err)
	}
	if n, err := d.UploadedPreKeyCount(ctx); n != 0 || err != nil {
		t.Fatalf("uploaded before marking: %d, %v", n, err)
	}
	must(t, d.MarkPreKeysAsUploaded(ctx, 812))
	if n, _ := d.UploadedPreKeyCount(ctx); n != 812 {
		t.Fatalf("uploaded after marking: %d, want 812", n)
	}
	next, err := d.GetOrGenPreKeys(ctx, 10)
	if err != nil || len(next) != 10 || next[0].KeyID != 813 || next[9].KeyID != 822 {
		t.Fatalf("after the upload: %d keys from %v (%v), want 813..822", len(next), next, err)
	}
	one, err := d.GenOnePreKey(ctx)
	if err != nil || one.KeyID != 823 {
		t.Fatalf("GenOnePreKey: %v, %v; want id 823", one, err)
	}
	if n, _ := d.UploadedPreKeyCount(ctx); n != 813 {
		t.Errorf("GenOnePreKey's key is not counted as uploaded: %d, want 813", n)
	}
	got, err := d.GetPreKey(ctx, 5)
	if err != nil || got == nil || *got.Priv != *first[4].Priv || *got.Pub != *first[4].Pub {
		t.Fatalf("GetPreKey(5): %v, %v", got, err)
	}
	must(t, d.RemovePreKey(ctx, 5))
	if got, err := d.GetPreKey(ctx, 5); got != nil || err != nil {
		t.Fatalf("GetPreKey of a removed key: %v, %v; want nil, nil", got, err)
	}
}

func senderKeys(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "6000").SenderKeys
	if k, err := d.GetSenderKey(ctx, "g@g.us", "6111:1"); k != nil || err != nil {
		t.Fatalf("unknown sender key: %q, %v", k, err)
	}
	must(t, d.PutSenderKey(ctx, "g@g.us", "6111:1", []byte("a")))
	must(t, d.PutSenderKey(ctx, "g@g.us", "6111:1", []byte("b")))
	must(t, d.PutSenderKey(ctx, "h@g.us", "6111:1", []byte("c")))
	if k, _ := d.GetSenderKey(ctx, "g@g.us", "6111:1"); string(k) != "b" {
		t.Errorf("sender key: %q, want b", k)
	}
	if k, _ := d.GetSenderKey(ctx, "h@g.us", "6111:1"); string(k) != "c" {
		t.Errorf("sender key of another group: %q, want c", k)
	}
}

func appStateSyncKeys(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "7000").AppStateKeys
	if k, err := d.GetAppStateSyncKey(ctx, []byte("k1")); k != nil || err != nil {
		t.Fatalf("unknown key: %v, %v", k, err)
	}
	if id, err := d.GetLatestAppStateSyncKeyID(ctx); id != nil || err != nil {
		t.Fatalf("latest of none: %q, %v", id, err)
	}
	must(t, d.PutAppStateSyncKey(ctx, []byte("k1"), store.AppStateSyncKey{Data: []byte("d1"), Fingerprint: []byte("f1"), Timestamp: 100}))
	must(t, d.PutAppStateSyncKey(ctx, []byte("k2"), store.AppStateSyncKey{Data: []byte("d2"), Fingerprint: []byte("f2"), Timestamp: 200}))
	must(t, d.PutAppStateSyncKey(ctx, []byte("k1"), store.AppStateSyncKey{Data: []byte("old"), Fingerprint: []byte("old"), Timestamp: 50}))
	if k, _ := d.GetAppStateSyncKey(ctx, []byte("k1")); k == nil || string(k.Data) != "d1" || string(k.Fingerprint) != "f1" || k.Timestamp != 100 {
		t.Errorf("an older key replaced a newer one: %+v", k)
	}
	must(t, d.PutAppStateSyncKey(ctx, []byte("k1"), store.AppStateSyncKey{Data: []byte("d3"), Fingerprint: []byte("f3"), Timestamp: 300}))
	if k, _ := d.GetAppStateSyncKey(ctx, []byte("k1")); k == nil || string(k.Data) != "d3" || string(k.Fingerprint) != "f3" || k.Timestamp != 300 {
		t.Errorf("a newer key did not replace: %+v", k)
	}
	if id, _ := d.GetLatestAppStateSyncKeyID(ctx); string(id) != "k1" {
		t.Errorf("latest key id: %q, want k1", id)
	}
	all, err := d.GetAllAppStateSyncKeys(ctx)
	if err != nil || len(all) != 2 || all[0].Timestamp != 300 || all[1].Timestamp != 200 {
		t.Fatalf("GetAllAppStateSyncKeys: %+v, %v; want newest first", all, err)
	}
}

func appStateVersions(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "8000").AppState
	if v, h, err := d.GetAppStateVersion(ctx, "regular"); v != 0 || h != [128]byte{} || err != nil {
		t.Fatalf("never synced: %d, %v", v, err)
	}
	hash := [128]byte(fill(128, 9))
	must(t, d.PutAppStateVersion(ctx, "regular", 3, hash))
	if v, h, err := d.GetAppStateVersion(ctx, "regular"); v != 3 || h != hash || err != nil {
		t.Fatalf("version: %d, hash kept %v, %v", v, h == hash, err)
	}
	i1, i2 := fill(32, 1), fill(32, 2)
	must(t, d.PutAppStateMutationMACs(ctx, "regular", 2, []store.AppStateMutationMAC{{IndexMAC: i1, ValueMAC: fill(32, 11)}, {IndexMAC: i2, ValueMAC: fill(32, 12)}}))
	must(t, d.PutAppStateMutationMACs(ctx, "regular", 3, []store.AppStateMutationMAC{{IndexMAC: i1, ValueMAC: fill(32, 13)}}))
	if m, err := d.GetAppStateMutationMAC(ctx, "regular", i1); !bytes.Equal(m, fill(32, 13)) || err != nil {
		t.Errorf("value MAC of the newest version: %x, %v", m, err)
	}
	if m, err := d.GetAppStateMutationMAC(ctx, "regular", fill(32, 3)); m != nil || err != nil {
		t.Errorf("unknown index MAC: %x, %v", m, err)
	}
	must(t, d.DeleteAppStateMutationMACs(ctx, "regular", [][]byte{i1}))
	if m, _ := d.GetAppStateMutationMAC(ctx, "regular", i1); m != nil {
		t.Error("a deleted index MAC is still found")
	}
	if m, _ := d.GetAppStateMutationMAC(ctx, "regular", i2); !bytes.Equal(m, fill(32, 12)) {
		t.Error("deleting one index MAC removed another")
	}
	must(t, d.DeleteAppStateVersion(ctx, "regular"))
	if v, _, _ := d.GetAppStateVersion(ctx, "regular"); v != 0 {
		t.Error("the deleted version is still there")
	}
	if m, _ := d.GetAppStateMutationMAC(ctx, "regular", i2); m != nil {
		t.Error("a deleted version's MACs are still found")
	}
}

func contacts(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "9000").Contacts
	bob, carol := pnJID("9111", 0), pnJID("9222", 0)
	if info, err := d.GetContact(ctx, bob); info.Found || err != nil {
		t.Fatalf("unknown contact: %+v, %v", info, err)
	}
	if changed, prev, err := d.PutPushName(ctx, bob, "Bob"); !changed || prev != "" || err != nil {
		t.Fatalf("first push name: %v %q %v", changed, prev, err)
	}
	if changed, _, _ := d.PutPushName(ctx, bob, "Bob"); changed {
		t.Error("the same push name counts as a change")
	}
	if changed, prev, _ := d.PutPushName(ctx, bob, "Bobby"); !changed || prev != "Bob" {
		t.Errorf("new push name: %v, previous %q; want true, Bob", changed, prev)
	}
	if changed, prev, _ := d.PutBusinessName(ctx, bob, "Bob's"); !changed || prev != "" {
		t.Errorf("business name: %v %q", changed, prev)
	}
	must(t, d.PutContactName(ctx, bob, "Robert", "Robert Smith"))
	must(t, d.PutAllContactNames(ctx, []store.ContactEntry{
		{JID: carol, FirstName: "C", FullName: "Carol"}, {JID: carol, FirstName: "Caro", FullName: "Carol Jones"}}))
	must(t, d.PutManyRedactedPhones(ctx, []store.RedactedPhoneEntry{{JID: carol, RedactedPhone: "+1 ***"}}))
	info, err := d.GetContact(ctx, bob)
	if err != nil || !info.Found || info.PushName != "Bobby" || info.BusinessName != "Bob's" || info.FirstName != "Robert" || info.FullName != "Robert Smith" {
		t.Errorf("contact: %+v, %v", info, err)
	}
	all, err := d.GetAllContacts(ctx)
	if err != nil || len(all) != 2 || all[carol].FullName != "Carol" || all[carol].FirstName != "C" ||
		all[carol].RedactedPhone != "+1 ***" || !all[carol].Found {
		t.Fatalf("all contacts: %+v, %v; want the first entry of a contact listed twice", all, err)
	}
}

func chatSettings(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "1000").ChatSettings
	chat, forever := pnJID("1011", 0), types.JID{User: "120363", Server: types.GroupServer}
	if s, err := d.GetChatSettings(ctx, chat); s.Found || err != nil {
		t.Fatalf("unknown chat: %+v, %v", s, err)
	}
	until := time.Unix(1900000000, 0)
	must(t, d.PutMutedUntil(ctx, chat, until))
	must(t, d.PutPinned(ctx, chat, true))
	must(t, d.PutMutedUntil(ctx, forever, store.MutedForever))
	must(t, d.PutArchived(ctx, forever, true))
	if s, _ := d.GetChatSettings(ctx, chat); !s.Found || !s.MutedUntil.Equal(until) || !s.Pinned || s.Archived {
		t.Errorf("chat settings: %+v", s)
	}
	if s, _ := d.GetChatSettings(ctx, forever); !s.MutedUntil.Equal(store.MutedForever) || !s.Archived || s.Pinned {
		t.Errorf("muted forever: %+v", s)
	}
	must(t, d.PutMutedUntil(ctx, chat, time.Time{}))
	if s, _ := d.GetChatSettings(ctx, chat); !s.MutedUntil.IsZero() || !s.Pinned {
		t.Errorf("unmuted: %+v", s)
	}
}

func messageSecrets(t *testing.T, c container) {
	ctx, dev := t.Context(), paired(t, c, "1100")
	d := dev.MsgSecrets
	chat, sender, senderLID := pnJID("1122", 0), pnJID("1133", 4), lidJID("91133", 4)
	if s, _, err := d.GetMessageSecret(ctx, chat, sender, "M1"); s != nil || err != nil {
		t.Fatalf("unknown secret: %x, %v", s, err)
	}
	must(t, d.PutMessageSecret(ctx, chat, sender, "M1", []byte("first")))
	must(t, d.PutMessageSecret(ctx, chat, sender, "M1", []byte("second")))
	must(t, d.PutMessageSecrets(ctx, []store.MessageSecretInsert{
		{Chat: chat, Sender: sender, ID: "M2", Secret: []byte("two")}, {Chat: chat, Sender: sender, ID: "", Secret: []byte("skipped")}}))
	s, real, err := d.GetMessageSecret(ctx, chat, sender, "M1")
	if err != nil || string(s) != "first" || real != sender.ToNonAD() {
		t.Fatalf("secret: %q from %s, %v; want the first one, from %s", s, real, err, sender.ToNonAD())
	}
	if s, _, _ := d.GetMessageSecret(ctx, chat, sender, "M2"); string(s) != "two" {
		t.Errorf("PutMessageSecrets: %q", s)
	}
	must(t, dev.LIDs.PutLIDMapping(ctx, senderLID.ToNonAD(), sender.ToNonAD()))
	if s, real, _ := d.GetMessageSecret(ctx, chat, senderLID, "M1"); string(s) != "first" || real != sender.ToNonAD() {
		t.Errorf("secret asked by the sender's LID: %q from %s", s, real)
	}
}

func privacyTokens(t *testing.T, c container) {
	ctx, dev := t.Context(), paired(t, c, "1200")
	d := dev.PrivacyTokens
	user, userLID := pnJID("1211", 0), lidJID("91211", 0)
	if tok, err := d.GetPrivacyToken(ctx, user); tok != nil || err != nil {
		t.Fatalf("unknown token: %+v, %v", tok, err)
	}
	t1, t2 := time.Unix(1800000000, 0), time.Unix(1800000100, 0)
	must(t, d.PutPrivacyTokens(ctx, store.PrivacyToken{User: user, Token: []byte("a"), Timestamp: t1, SenderTimestamp: t1}))
	must(t, d.PutPrivacyTokens(ctx, store.PrivacyToken{User: user, Token: []byte("b"), Timestamp: t2}))
	must(t, d.PutPrivacyTokens(ctx, store.PrivacyToken{User: user, Token: []byte("old"), Timestamp: t1.Add(-time.Hour)}))
	tok, err := d.GetPrivacyToken(ctx, user)
	if err != nil || tok == nil || string(tok.Token) != "b" || !tok.Timestamp.Equal(t2) || !tok.SenderTimestamp.Equal(t1) {
		t.Fatalf("token: %+v, %v; want b at %v keeping the sender timestamp %v", tok, err, t2, t1)
	}
	must(t, dev.LIDs.PutLIDMapping(ctx, userLID, user))
	if tok, _ := d.GetPrivacyToken(ctx, userLID); tok == nil || string(tok.Token) != "b" {
		t.Errorf("token asked by LID: %+v", tok)
	}
	if n, err := d.DeleteExpiredPrivacyTokens(ctx, t2); n != 0 || err != nil {
		t.Errorf("deleting before the newest: %d, %v", n, err)
	}
	if n, err := d.DeleteExpiredPrivacyTokens(ctx, t2.Add(time.Second)); n != 1 || err != nil {
		t.Errorf("deleting after: %d, %v", n, err)
	}
}

func lidMap(t *testing.T, c container) {
	ctx, l := t.Context(), paired(t, c, "1300").LIDs
	pn, lid := pnJID("1311", 0), lidJID("91311", 0)
	if got, err := l.GetLIDForPN(ctx, pn); !got.IsEmpty() || err != nil {
		t.Fatalf("unknown number: %s, %v", got, err)
	}
	if l.PutLIDMapping(ctx, pn, lid) == nil {
		t.Error("a mapping with the JIDs swapped was stored")
	}
	if _, err := l.GetLIDForPN(ctx, lid); err == nil {
		t.Error("GetLIDForPN of a LID did not fail")
	}
	must(t, l.PutLIDMapping(ctx, lid, pn))
	if got, _ := l.GetLIDForPN(ctx, pnJID("1311", 3)); got != lidJID("91311", 3) {
		t.Errorf("LID of device 3: %s", got)
	}
	if got, _ := l.GetPNForLID(ctx, lidJID("91311", 2)); got != pnJID("1311", 2) {
		t.Errorf("number of LID device 2: %s", got)
	}
	// The number gets a new LID: the old one no longer maps to it.
	newLID := lidJID("81311", 0)
	must(t, l.PutManyLIDMappings(ctx, []store.LIDMapping{{LID: newLID, PN: pn}, {LID: pn, PN: lid}, {LID: lidJID("91400", 0), PN: pnJID("1400", 0)}}))
	if got, _ := l.GetLIDForPN(ctx, pn); got != newLID {
		t.Errorf("LID after remapping: %s, want %s", got, newLID)
	}
	if got, _ := l.GetPNForLID(ctx, lid); !got.IsEmpty() {
		t.Errorf("the old LID still maps to %s", got)
	}
	many, err := l.GetManyLIDsForPNs(ctx, []types.JID{pnJID("1311", 1), pnJID("1400", 2), pnJID("1999", 0)})
	want := map[types.JID]types.JID{pnJID("1311", 1): lidJID("81311", 1), pnJID("1400", 2): lidJID("91400", 2)}
	if err != nil || len(many) != len(want) || many[pnJID("1311", 1)] != want[pnJID("1311", 1)] || many[pnJID("1400", 2)] != want[pnJID("1400", 2)] {
		t.Errorf("GetManyLIDsForPNs: %v, %v; want %v", many, err, want)
	}
}

func eventBuffer(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "1500").EventBuffer
	h1, h2 := [32]byte(fill(32, 1)), [32]byte(fill(32, 2))
	if e, err := d.GetBufferedEvent(ctx, h1); e != nil || err != nil {
		t.Fatalf("unknown event: %+v, %v", e, err)
	}
	server := time.Unix(1800000000, 0)
	must(t, d.PutBufferedEvent(ctx, h1, []byte("plain"), server))
	e, err := d.GetBufferedEvent(ctx, h1)
	if err != nil || e == nil || string(e.Plaintext) != "plain" || !e.ServerTime.Equal(server) || time.Since(e.InsertTime) > time.Hour {
		t.Fatalf("buffered event: %+v, %v", e, err)
	}
	must(t, d.ClearBufferedEventPlaintext(ctx, h1))
	if e, _ := d.GetBufferedEvent(ctx, h1); e == nil || e.Plaintext != nil {
		t.Errorf("after clearing: %+v; want the event without its plaintext", e)
	}
	// What the transaction stored is gone when it fails, and kept when it succeeds.
	failed := errors.New("decryption failed")
	err = d.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		must(t, d.PutBufferedEvent(ctx, h2, []byte("rolled back"), server))
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("DoDecryptionTxn: %v, want the function's error", err)
	}
	if e, _ := d.GetBufferedEvent(ctx, h2); e != nil {
		t.Error("a failed decryption transaction kept its event")
	}
	must(t, d.DoDecryptionTxn(ctx, func(ctx context.Context) error {
		return d.PutBufferedEvent(ctx, h2, []byte("kept"), server)
	}))
	if e, _ := d.GetBufferedEvent(ctx, h2); e == nil || string(e.Plaintext) != "kept" {
		t.Errorf("after a committed transaction: %+v", e)
	}
	must(t, d.DeleteOldBufferedHashes(ctx))
	if e, _ := d.GetBufferedEvent(ctx, h2); e == nil {
		t.Error("DeleteOldBufferedHashes deleted a fresh event")
	}
}

func retryBuffer(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "1600").EventBuffer
	chat, alt := pnJID("1611", 0), lidJID("91611", 0)
	if _, _, err := d.GetOutgoingEvent(ctx, chat, alt, "M1"); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("unknown message: %v, want sql.ErrNoRows", err)
	}
	must(t, d.AddOutgoingEvent(ctx, alt, "M1", "proto", []byte("one")))
	must(t, d.AddOutgoingEvent(ctx, alt, "M1", "proto2", []byte("two")))
	format, plain, err := d.GetOutgoingEvent(ctx, chat, alt, "M1")
	if err != nil || format != "proto2" || string(plain) != "two" {
		t.Fatalf("by the other chat JID: %q %q %v", format, plain, err)
	}
	if _, _, err := d.GetOutgoingEvent(ctx, chat, types.EmptyJID, "M1"); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("found under a chat JID it was not stored under: %v", err)
	}
	must(t, d.DeleteOldOutgoingEvents(ctx))
	if _, _, err := d.GetOutgoingEvent(ctx, alt, types.EmptyJID, "M1"); err != nil {
		t.Errorf("DeleteOldOutgoingEvents deleted a fresh message: %v", err)
	}
}

func nctSalt(t *testing.T, c container) {
	ctx, d := t.Context(), paired(t, c, "1700").NCTSalt
	if s, err := d.GetNCTSalt(ctx); s != nil || err != nil {
		t.Fatalf("no salt: %x, %v", s, err)
	}
	must(t, d.PutNCTSalt(ctx, []byte("salt1")))
	must(t, d.PutNCTSalt(ctx, []byte("salt2")))
	if s, _ := d.GetNCTSalt(ctx); string(s) != "salt2" {
		t.Errorf("salt: %q", s)
	}
	must(t, d.DeleteNCTSalt(ctx))
	if s, _ := d.GetNCTSalt(ctx); s != nil {
		t.Errorf("salt after delete: %q", s)
	}
}
