package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore/internal/db"
)

// lidMap is whatsmeow's LID store: which hidden user id (LID) each phone number
// has, shared by every device of the database. A phone number has one LID and a
// LID one phone number. It reads the table each time (sqlstore caches it in memory;
// these are primary-key lookups).
type lidMap struct{ c *Container }

var _ store.LIDStore = (*lidMap)(nil)

// PutLIDMapping records that lid is pn's, replacing what either had before.
func (m *lidMap) PutLIDMapping(ctx context.Context, lid, pn types.JID) error {
	if lid.Server != types.HiddenUserServer || pn.Server != types.DefaultUserServer {
		return fmt.Errorf("mysqlstore: invalid LID mapping %s/%s", lid, pn)
	}
	return m.c.inTx(ctx, func(ctx context.Context) error { return m.put(ctx, lid.User, pn.User) })
}

// PutManyLIDMappings records them in one transaction, skipping malformed pairs; of
// a pair listed twice, one is stored.
func (m *lidMap) PutManyLIDMappings(ctx context.Context, mappings []store.LIDMapping) error {
	valid := make([]store.LIDMapping, 0, len(mappings))
	for _, mp := range mappings {
		if mp.LID.Server == types.HiddenUserServer && mp.PN.Server == types.DefaultUserServer {
			valid = append(valid, mp)
		}
	}
	valid = firstOfEach(valid, func(mp store.LIDMapping) store.LIDMapping { return mp })
	if len(valid) == 0 {
		return nil
	}
	return m.c.inTx(ctx, func(ctx context.Context) error {
		for _, mp := range valid {
			if err := m.put(ctx, mp.LID.User, mp.PN.User); err != nil {
				return err
			}
		}
		return nil
	})
}

func (m *lidMap) put(ctx context.Context, lid, pn string) error {
	q := m.c.q(ctx)
	if err := q.DeleteOtherLIDForPN(ctx, db.DeleteOtherLIDForPNParams{Lid: lid, Pn: pn}); err != nil {
		return err
	}
	return q.PutLIDMapping(ctx, db.PutLIDMappingParams{Lid: lid, Pn: pn})
}

// GetLIDForPN is the LID of pn's user on pn's device, or the empty JID.
func (m *lidMap) GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error) {
	if pn.Server != types.DefaultUserServer {
		return types.JID{}, fmt.Errorf("mysqlstore: GetLIDForPN of a non-phone-number JID %s", pn)
	}
	lid, err := m.c.q(ctx).GetLIDForPN(ctx, pn.User)
	if errors.Is(err, sql.ErrNoRows) {
		return types.JID{}, nil
	}
	if err != nil {
		return types.JID{}, err
	}
	return types.JID{User: lid, Device: pn.Device, Server: types.HiddenUserServer}, nil
}

// GetPNForLID is the phone number of lid's user on lid's device, or the empty JID.
func (m *lidMap) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	if lid.Server != types.HiddenUserServer {
		return types.JID{}, fmt.Errorf("mysqlstore: GetPNForLID of a non-LID JID %s", lid)
	}
	pn, err := m.c.q(ctx).GetPNForLID(ctx, lid.User)
	if errors.Is(err, sql.ErrNoRows) {
		return types.JID{}, nil
	}
	if err != nil {
		return types.JID{}, err
	}
	return types.JID{User: pn, Device: lid.Device, Server: types.DefaultUserServer}, nil
}

// GetManyLIDsForPNs maps each phone-number JID that has a LID to it (same device);
// the others are left out.
func (m *lidMap) GetManyLIDsForPNs(ctx context.Context, pns []types.JID) (map[types.JID]types.JID, error) {
	if len(pns) == 0 {
		return nil, nil
	}
	users := make([]string, 0, len(pns))
	seen := make(map[string]bool, len(pns))
	for _, pn := range pns {
		if pn.Server == types.DefaultUserServer && !seen[pn.User] {
			seen[pn.User] = true
			users = append(users, pn.User)
		}
	}
	out := make(map[types.JID]types.JID, len(pns))
	if len(users) == 0 {
		return out, nil
	}
	rows, err := m.c.q(ctx).GetLIDsForPNs(ctx, users)
	if err != nil {
		return nil, err
	}
	lidOf := make(map[string]string, len(rows))
	for _, r := range rows {
		lidOf[r.Pn] = r.Lid
	}
	for _, pn := range pns {
		if lid, ok := lidOf[pn.User]; ok && pn.Server == types.DefaultUserServer {
			out[pn] = types.JID{User: lid, Device: pn.Device, Server: types.HiddenUserServer}
		}
	}
	return out, nil
}

// bothForms is jid and, when the LID map knows it, its other form (the LID of a
// phone number, the phone number of a LID), as strings to match stored JIDs.
func (m *lidMap) bothForms(ctx context.Context, jid types.JID) ([]string, error) {
	forms := []string{jid.String()}
	var alt types.JID
	var err error
	switch jid.Server {
	case types.HiddenUserServer:
		alt, err = m.GetPNForLID(ctx, jid)
	case types.DefaultUserServer:
		alt, err = m.GetLIDForPN(ctx, jid)
	}
	if err != nil {
		return nil, err
	}
	if !alt.IsEmpty() {
		forms = append(forms, alt.String())
	}
	return forms, nil
}
