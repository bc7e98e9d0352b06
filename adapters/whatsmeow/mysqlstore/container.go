// Package mysqlstore is whatsmeow's device store on MySQL/MariaDB. whatsmeow's own
// (store/sqlstore) speaks only SQLite and PostgreSQL; this one keeps the same data in
// the gateway's tables (migrations/mysql 00017), every statement through sqlc
// (sql/mysql/whatsmeow), and behaves as sqlstore does: the shared device store
// contract (contract_test.go) runs on both.
//
// The tables are created by the gateway's migrations, not here: New expects a
// database the MySQL store adapter has opened (and so migrated).
package mysqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	mathrand "math/rand/v2"

	"github.com/google/uuid"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore/internal/db"
	_ "github.com/warest-go/warest/adapters/whatsmeow/quietsignal" // devices are made on many goroutines
)

// ErrInvalidLength reports a stored key of the wrong length (the schema's CHECKs make
// it impossible; it guards the conversions to fixed-size arrays).
var ErrInvalidLength = errors.New("mysqlstore: stored key has an illegal length")

// ErrDeviceIDMustBeSet is PutDevice's error for a device not yet paired (no JID).
var ErrDeviceIDMustBeSet = errors.New("mysqlstore: the device's JID must be known before it is stored")

// Container holds every device of one database, and the LID map they share.
type Container struct {
	db      *sql.DB
	queries *db.Queries
	log     waLog.Logger
	lids    *lidMap
}

var _ store.DeviceContainer = (*Container)(nil)

// New wraps a migrated MySQL/MariaDB database; log may be nil.
func New(sqldb *sql.DB, log waLog.Logger) *Container {
	if log == nil {
		log = waLog.Noop
	}
	c := &Container{db: sqldb, queries: db.New(sqldb), log: log}
	c.lids = &lidMap{c: c}
	return c
}

// NewDevice makes a device with fresh keys; nothing is stored until it is paired
// and saved (whatsmeow saves it when pairing succeeds).
func (c *Container) NewDevice() *store.Device {
	device := &store.Device{
		Log:            c.log,
		Container:      c,
		NoiseKey:       keys.NewKeyPair(),
		IdentityKey:    keys.NewKeyPair(),
		RegistrationID: mathrand.Uint32(),
		AdvSecretKey:   make([]byte, 32),
	}
	_, _ = rand.Read(device.AdvSecretKey) // never fails (crypto/rand panics instead)
	device.SignedPreKey = device.IdentityKey.CreateSignedPreKey(1)
	return device
}

// GetDevice returns the device stored under jid, or nil when there is none.
func (c *Container) GetDevice(ctx context.Context, jid types.JID) (*store.Device, error) {
	row, err := c.q(ctx).GetDevice(ctx, jid.String())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c.toDevice(row)
}

// GetAllDevices returns every stored device.
func (c *Container) GetAllDevices(ctx context.Context) ([]*store.Device, error) {
	rows, err := c.q(ctx).GetAllDevices(ctx)
	if err != nil {
		return nil, err
	}
	devices := make([]*store.Device, 0, len(rows))
	for _, row := range rows {
		d, err := c.toDevice(row)
		if err != nil {
			return nil, err
		}
		devices = append(devices, d)
	}
	return devices, nil
}

// PutDevice stores a paired device (whatsmeow calls it through Device.Save); the
// keys it was created with stay as first stored.
func (c *Container) PutDevice(ctx context.Context, device *store.Device) error {
	if device.ID == nil {
		return ErrDeviceIDMustBeSet
	}
	account := device.Account
	if account == nil {
		account = &waAdv.ADVSignedDeviceIdentity{}
	}
	err := c.q(ctx).PutDevice(ctx, db.PutDeviceParams{
		Jid:                device.ID.String(),
		Lid:                nullJID(device.LID),
		FacebookUuid:       sql.NullString{String: device.FacebookUUID.String(), Valid: device.FacebookUUID != uuid.Nil},
		RegistrationID:     device.RegistrationID,
		NoiseKey:           device.NoiseKey.Priv[:],
		IdentityKey:        device.IdentityKey.Priv[:],
		SignedPreKey:       device.SignedPreKey.Priv[:],
		SignedPreKeyID:     device.SignedPreKey.KeyID,
		SignedPreKeySig:    device.SignedPreKey.Signature[:],
		AdvKey:             device.AdvSecretKey,
		AdvDetails:         account.Details,
		AdvAccountSig:      account.AccountSignature,
		AdvAccountSigKey:   account.AccountSignatureKey,
		AdvDeviceSig:       account.DeviceSignature,
		Platform:           device.Platform,
		BusinessName:       device.BusinessName,
		PushName:           device.PushName,
		LidMigrationTs:     device.LIDMigrationTimestamp,
		CompanionMetaNonce: device.CompanionMetaNonce,
	})
	if !device.Initialized {
		c.initialize(device)
	}
	return err
}

// DeleteDevice removes a device and, by cascade, every key it had (whatsmeow calls
// it through Device.Delete).
func (c *Container) DeleteDevice(ctx context.Context, device *store.Device) error {
	if device.ID == nil {
		return ErrDeviceIDMustBeSet
	}
	return c.q(ctx).DeleteDevice(ctx, device.ID.String())
}

func (c *Container) toDevice(row db.WhatsmeowDevice) (*store.Device, error) {
	if len(row.NoiseKey) != 32 || len(row.IdentityKey) != 32 || len(row.SignedPreKey) != 32 || len(row.SignedPreKeySig) != 64 {
		return nil, ErrInvalidLength
	}
	jid, err := types.ParseJID(row.Jid)
	if err != nil {
		return nil, fmt.Errorf("mysqlstore: device %q: %w", row.Jid, err)
	}
	device := &store.Device{
		Log:            c.log,
		ID:             &jid,
		RegistrationID: row.RegistrationID,
		NoiseKey:       keys.NewKeyPairFromPrivateKey([32]byte(row.NoiseKey)),
		IdentityKey:    keys.NewKeyPairFromPrivateKey([32]byte(row.IdentityKey)),
		SignedPreKey: &keys.PreKey{
			KeyPair:   *keys.NewKeyPairFromPrivateKey([32]byte(row.SignedPreKey)),
			KeyID:     row.SignedPreKeyID,
			Signature: (*[64]byte)(row.SignedPreKeySig),
		},
		AdvSecretKey: row.AdvKey,
		Account: &waAdv.ADVSignedDeviceIdentity{Details: row.AdvDetails, AccountSignature: row.AdvAccountSig,
			AccountSignatureKey: row.AdvAccountSigKey, DeviceSignature: row.AdvDeviceSig},
		Platform:              row.Platform,
		BusinessName:          row.BusinessName,
		PushName:              row.PushName,
		LIDMigrationTimestamp: row.LidMigrationTs,
		CompanionMetaNonce:    row.CompanionMetaNonce,
	}
	if row.Lid.Valid {
		if device.LID, err = types.ParseJID(row.Lid.String); err != nil {
			return nil, fmt.Errorf("mysqlstore: device %q: LID: %w", row.Jid, err)
		}
	}
	if row.FacebookUuid.Valid {
		if device.FacebookUUID, err = uuid.Parse(row.FacebookUuid.String); err != nil {
			return nil, fmt.Errorf("mysqlstore: device %q: Facebook UUID: %w", row.Jid, err)
		}
	}
	c.initialize(device)
	return device, nil
}

// initialize gives a stored device its per-device stores and the shared LID map.
func (c *Container) initialize(device *store.Device) {
	device.SetAllStores(newDeviceStore(c, *device.ID))
	device.LIDs = c.lids
	device.Container = c
	device.Initialized = true
}

// txKey carries a container's open transaction in a context: whatsmeow runs
// store calls inside DoDecryptionTxn with the context it is given.
type txKey struct{ c *Container }

// q is the queries of the transaction ctx carries, or of the pool.
func (c *Container) q(ctx context.Context) *db.Queries {
	if tx, ok := ctx.Value(txKey{c}).(*sql.Tx); ok {
		return c.queries.WithTx(tx)
	}
	return c.queries
}

// inTx runs fn in one transaction, or in the one ctx already carries. READ
// COMMITTED, as the gateway's store: no gap locks between devices writing keys.
func (c *Container) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{c}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := c.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	if err := fn(context.WithValue(ctx, txKey{c}, tx)); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// ignoreDone drops the error of rolling back a transaction the driver already ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// nullJID is jid as a nullable column: the empty JID is NULL.
func nullJID(jid types.JID) sql.NullString {
	if jid.IsEmpty() {
		return sql.NullString{}
	}
	return sql.NullString{String: jid.String(), Valid: true}
}
