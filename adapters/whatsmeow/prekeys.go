package whatsmeow

import (
	"context"

	"go.mau.fi/util/dbutil"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
)

// whatsmeow's SQL store writes each prekey it makes in a statement of its own: at a
// pairing, 812 commits, so 812 fsyncs on a durable database (seconds on a slow disk,
// while the phone waits). These wrappers run GetOrGenPreKeys in one transaction:
// dbutil hands the transaction in the context to the store's statements. (Our MySQL
// store, mysqlstore, does so itself.)

// sqlDevices is whatsmeow's SQL store handing out devices that make their prekeys
// in one transaction.
type sqlDevices struct {
	*sqlstore.Container
	db *dbutil.Database // the container's
}

func (d sqlDevices) NewDevice() *store.Device {
	dev := d.Container.NewDevice()
	batchPreKeys(dev, d.db)
	return dev
}

func (d sqlDevices) GetDevice(ctx context.Context, jid types.JID) (*store.Device, error) {
	dev, err := d.Container.GetDevice(ctx, jid)
	if dev != nil {
		batchPreKeys(dev, d.db)
	}
	return dev, err
}

// batchPreKeys makes dev generate its prekeys in one transaction, now and after a
// pairing re-creates its stores (PutDevice).
func batchPreKeys(dev *store.Device, db *dbutil.Database) {
	if _, done := dev.Container.(preKeyContainer); !done {
		dev.Container = preKeyContainer{DeviceContainer: dev.Container, db: db}
	}
	if dev.PreKeys != nil {
		if _, done := dev.PreKeys.(preKeyTx); !done {
			dev.PreKeys = preKeyTx{PreKeyStore: dev.PreKeys, db: db}
		}
	}
}

type preKeyTx struct {
	store.PreKeyStore
	db *dbutil.Database
}

func (p preKeyTx) GetOrGenPreKeys(ctx context.Context, count uint32) (made []*keys.PreKey, err error) {
	err = p.db.DoTxn(ctx, nil, func(ctx context.Context) error {
		made, err = p.PreKeyStore.GetOrGenPreKeys(ctx, count)
		return err
	})
	return made, err
}

// preKeyContainer re-wraps the prekey store whatsmeow installs when it stores a
// newly paired device.
type preKeyContainer struct {
	store.DeviceContainer
	db *dbutil.Database
}

func (c preKeyContainer) PutDevice(ctx context.Context, dev *store.Device) error {
	if err := c.DeviceContainer.PutDevice(ctx, dev); err != nil {
		return err
	}
	batchPreKeys(dev, c.db)
	return nil
}
