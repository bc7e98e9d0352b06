package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/store"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore/internal/db"
)

// ---- app state sync keys

// PutAppStateSyncKey stores a key unless a newer one is stored under its id.
func (s *deviceStore) PutAppStateSyncKey(ctx context.Context, id []byte, key store.AppStateSyncKey) error {
	return s.q(ctx).PutAppStateSyncKey(ctx, db.PutAppStateSyncKeyParams{Jid: s.jid, KeyID: id, KeyData: key.Data,
		KeyTimestamp: key.Timestamp, Fingerprint: key.Fingerprint})
}

func (s *deviceStore) GetAppStateSyncKey(ctx context.Context, id []byte) (*store.AppStateSyncKey, error) {
	r, err := s.q(ctx).GetAppStateSyncKey(ctx, db.GetAppStateSyncKeyParams{Jid: s.jid, KeyID: id})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &store.AppStateSyncKey{Data: r.KeyData, Timestamp: r.KeyTimestamp, Fingerprint: r.Fingerprint}, nil
}

func (s *deviceStore) GetLatestAppStateSyncKeyID(ctx context.Context) ([]byte, error) {
	id, err := s.q(ctx).GetLatestAppStateSyncKeyID(ctx, s.jid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return id, err
}

// GetAllAppStateSyncKeys lists the keys newest first.
func (s *deviceStore) GetAllAppStateSyncKeys(ctx context.Context) ([]*store.AppStateSyncKey, error) {
	rows, err := s.q(ctx).GetAllAppStateSyncKeys(ctx, s.jid)
	if err != nil {
		return nil, err
	}
	out := make([]*store.AppStateSyncKey, len(rows))
	for i, r := range rows {
		out[i] = &store.AppStateSyncKey{Data: r.KeyData, Timestamp: r.KeyTimestamp, Fingerprint: r.Fingerprint}
	}
	return out, nil
}

// ---- app state versions and mutation MACs

func (s *deviceStore) PutAppStateVersion(ctx context.Context, name string, version uint64, hash [128]byte) error {
	return s.q(ctx).PutAppStateVersion(ctx, db.PutAppStateVersionParams{Jid: s.jid, Name: name, Version: version, Hash: hash[:]})
}

// GetAppStateVersion is version 0 and a zero hash for a collection never synced.
func (s *deviceStore) GetAppStateVersion(ctx context.Context, name string) (uint64, [128]byte, error) {
	r, err := s.q(ctx).GetAppStateVersion(ctx, db.GetAppStateVersionParams{Jid: s.jid, Name: name})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, [128]byte{}, nil
	case err != nil:
		return 0, [128]byte{}, err
	case len(r.Hash) != 128:
		return 0, [128]byte{}, ErrInvalidLength
	case r.Version == 0:
		return 0, [128]byte{}, fmt.Errorf("mysqlstore: invalid saved app state version 0 for %s", name)
	}
	return r.Version, [128]byte(r.Hash), nil
}

// DeleteAppStateVersion forgets a collection and, by cascade, its MACs.
func (s *deviceStore) DeleteAppStateVersion(ctx context.Context, name string) error {
	return s.q(ctx).DeleteAppStateVersion(ctx, db.DeleteAppStateVersionParams{Jid: s.jid, Name: name})
}

// PutAppStateMutationMACs stores them all or none.
func (s *deviceStore) PutAppStateMutationMACs(ctx context.Context, name string, version uint64, mutations []store.AppStateMutationMAC) error {
	if len(mutations) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		q := s.q(ctx)
		for _, m := range mutations {
			if err := q.PutAppStateMutationMAC(ctx, db.PutAppStateMutationMACParams{Jid: s.jid, Name: name, Version: version,
				IndexMac: m.IndexMAC, ValueMac: m.ValueMAC}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *deviceStore) DeleteAppStateMutationMACs(ctx context.Context, name string, indexMACs [][]byte) error {
	if len(indexMACs) == 0 {
		return nil
	}
	return s.q(ctx).DeleteAppStateMutationMACs(ctx, db.DeleteAppStateMutationMACsParams{Jid: s.jid, Name: name, IndexMacs: indexMACs})
}

// GetAppStateMutationMAC is the value MAC of the newest version holding indexMAC.
func (s *deviceStore) GetAppStateMutationMAC(ctx context.Context, name string, indexMAC []byte) ([]byte, error) {
	mac, err := s.q(ctx).GetAppStateMutationMAC(ctx, db.GetAppStateMutationMACParams{Jid: s.jid, Name: name, IndexMac: indexMAC})
	return mac, noRow(err)
}
