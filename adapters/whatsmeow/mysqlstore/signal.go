package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore/internal/db"
)

// deviceStore is every per-device store of one device (whatsmeow's
// AllSessionSpecificStores), its rows keyed by the device's JID.
type deviceStore struct {
	*Container
	jid string

	preKeyMu  sync.Mutex // one prekey generation at a time: ids follow the largest stored
	contactMu sync.Mutex // a name's read-compare-write, so "changed" and "previous" are exact
	migrated  sync.Map   // phone numbers whose Signal data moved to their LID, moved once
}

var _ store.AllSessionSpecificStores = (*deviceStore)(nil)

func newDeviceStore(c *Container, jid types.JID) *deviceStore {
	return &deviceStore{Container: c, jid: jid.String()}
}

// noRow makes "no such row" the zero answer whatsmeow expects from a getter.
func noRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// ---- identities

func (s *deviceStore) PutIdentity(ctx context.Context, address string, key [32]byte) error {
	return s.q(ctx).PutIdentity(ctx, db.PutIdentityParams{OurJid: s.jid, TheirID: address, Identity: key[:]})
}

func (s *deviceStore) DeleteAllIdentities(ctx context.Context, phone string) error {
	return s.q(ctx).DeleteIdentitiesLike(ctx, db.DeleteIdentitiesLikeParams{OurJid: s.jid, Pattern: phone + ":%"})
}

func (s *deviceStore) DeleteIdentity(ctx context.Context, address string) error {
	return s.q(ctx).DeleteIdentity(ctx, db.DeleteIdentityParams{OurJid: s.jid, TheirID: address})
}

// IsTrustedIdentity trusts an address seen for the first time (whatsmeow stores its
// key afterwards) and otherwise only the key stored for it.
func (s *deviceStore) IsTrustedIdentity(ctx context.Context, address string, key [32]byte) (bool, error) {
	stored, err := s.q(ctx).GetIdentity(ctx, db.GetIdentityParams{OurJid: s.jid, TheirID: address})
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if len(stored) != 32 {
		return false, ErrInvalidLength
	}
	return [32]byte(stored) == key, nil
}

// ---- sessions

func (s *deviceStore) GetSession(ctx context.Context, address string) ([]byte, error) {
	session, err := s.q(ctx).GetSession(ctx, db.GetSessionParams{OurJid: s.jid, TheirID: address})
	return session, noRow(err)
}

func (s *deviceStore) HasSession(ctx context.Context, address string) (bool, error) {
	_, err := s.q(ctx).GetSession(ctx, db.GetSessionParams{OurJid: s.jid, TheirID: address})
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// GetManySessions answers every address asked, nil for those with no session.
func (s *deviceStore) GetManySessions(ctx context.Context, addresses []string) (map[string][]byte, error) {
	if len(addresses) == 0 {
		return nil, nil
	}
	rows, err := s.q(ctx).GetManySessions(ctx, db.GetManySessionsParams{OurJid: s.jid, TheirIds: addresses})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(addresses))
	for _, a := range addresses {
		out[a] = nil
	}
	for _, r := range rows {
		out[r.TheirID] = r.Session
	}
	return out, nil
}

func (s *deviceStore) PutSession(ctx context.Context, address string, session []byte) error {
	return s.q(ctx).PutSession(ctx, db.PutSessionParams{OurJid: s.jid, TheirID: address, Session: session})
}

// PutManySessions stores them all or none.
func (s *deviceStore) PutManySessions(ctx context.Context, sessions map[string][]byte) error {
	return s.inTx(ctx, func(ctx context.Context) error {
		for address, session := range sessions {
			if err := s.PutSession(ctx, address, session); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *deviceStore) DeleteAllSessions(ctx context.Context, phone string) error {
	return s.q(ctx).DeleteSessionsLike(ctx, db.DeleteSessionsLikeParams{OurJid: s.jid, Pattern: phone + ":%"})
}

func (s *deviceStore) DeleteSession(ctx context.Context, address string) error {
	return s.q(ctx).DeleteSession(ctx, db.DeleteSessionParams{OurJid: s.jid, TheirID: address})
}

// MigratePNToLID moves the sessions, identity keys and sender keys of a phone
// number's devices to its LID, in one transaction, once per number and process.
func (s *deviceStore) MigratePNToLID(ctx context.Context, pn, lid types.JID) error {
	from, to := pn.SignalAddressUser(), lid.SignalAddressUser()
	if _, done := s.migrated.LoadOrStore(from, true); done {
		return nil
	}
	pattern := from + ":%"
	var sessions, identities, senderKeys int64
	err := s.inTx(ctx, func(ctx context.Context) error {
		q := s.q(ctx)
		var err error
		if sessions, err = q.CopySessionsToLID(ctx, db.CopySessionsToLIDParams{Pn: from, Lid: to, OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("migrate sessions: %w", err)
		}
		if err := q.DeleteSessionsLike(ctx, db.DeleteSessionsLikeParams{OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("delete migrated sessions: %w", err)
		}
		if identities, err = q.CopyIdentitiesToLID(ctx, db.CopyIdentitiesToLIDParams{Pn: from, Lid: to, OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("migrate identity keys: %w", err)
		}
		if err := q.DeleteIdentitiesLike(ctx, db.DeleteIdentitiesLikeParams{OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("delete migrated identity keys: %w", err)
		}
		if senderKeys, err = q.CopySenderKeysToLID(ctx, db.CopySenderKeysToLIDParams{Pn: from, Lid: to, OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("migrate sender keys: %w", err)
		}
		if err := q.DeleteSenderKeysLike(ctx, db.DeleteSenderKeysLikeParams{OurJid: s.jid, Pattern: pattern}); err != nil {
			return fmt.Errorf("delete migrated sender keys: %w", err)
		}
		return nil
	})
	if err != nil {
		s.migrated.Delete(from) // try again next time
		return err
	}
	if sessions > 0 || identities > 0 || senderKeys > 0 {
		s.log.Infof("Migrated %d sessions, %d identity keys and %d sender keys from %s to %s", sessions, identities, senderKeys, from, to)
	}
	return nil
}

// ---- prekeys

// maxPreKeyID is the largest id a prekey may have (24 bits, as in the schema).
const maxPreKeyID = 1<<24 - 1

func (s *deviceStore) nextPreKeyID(ctx context.Context) (uint32, error) {
	last, err := s.q(ctx).LastPreKeyID(ctx, s.jid)
	if err != nil {
		return 0, fmt.Errorf("mysqlstore: next prekey id: %w", err)
	}
	if last >= maxPreKeyID {
		return 0, fmt.Errorf("mysqlstore: prekey ids exhausted")
	}
	return uint32(last) + 1, nil
}

func (s *deviceStore) insertPreKey(ctx context.Context, id uint32, uploaded bool) (*keys.PreKey, error) {
	key := keys.NewPreKey(id)
	return key, s.q(ctx).InsertPreKey(ctx, db.InsertPreKeyParams{Jid: s.jid, KeyID: key.KeyID, PreKey: key.Priv[:], Uploaded: uploaded})
}

// GenOnePreKey makes one prekey, already counted as uploaded (whatsmeow sends it
// itself, e.g. in a retry receipt).
func (s *deviceStore) GenOnePreKey(ctx context.Context) (*keys.PreKey, error) {
	s.preKeyMu.Lock()
	defer s.preKeyMu.Unlock()
	id, err := s.nextPreKeyID(ctx)
	if err != nil {
		return nil, err
	}
	return s.insertPreKey(ctx, id, true)
}

// GetOrGenPreKeys returns count prekeys not yet uploaded: those stored, then new
// ones, all new ones written in one transaction (812 at pairing). They stay "not
// uploaded" until MarkPreKeysAsUploaded.
func (s *deviceStore) GetOrGenPreKeys(ctx context.Context, count uint32) ([]*keys.PreKey, error) {
	s.preKeyMu.Lock()
	defer s.preKeyMu.Unlock()
	rows, err := s.q(ctx).GetUnuploadedPreKeys(ctx, db.GetUnuploadedPreKeysParams{Jid: s.jid, Limit: int32(min(count, maxPreKeyID))})
	if err != nil {
		return nil, fmt.Errorf("mysqlstore: existing prekeys: %w", err)
	}
	out := make([]*keys.PreKey, 0, count)
	for _, r := range rows {
		k, err := toPreKey(r.KeyID, r.PreKey)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	if uint32(len(out)) >= count {
		return out, nil
	}
	err = s.inTx(ctx, func(ctx context.Context) error {
		id, err := s.nextPreKeyID(ctx)
		if err != nil {
			return err
		}
		for uint32(len(out)) < count {
			k, err := s.insertPreKey(ctx, id, false)
			if err != nil {
				return fmt.Errorf("mysqlstore: generate prekey: %w", err)
			}
			out = append(out, k)
			id++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func toPreKey(id uint32, priv []byte) (*keys.PreKey, error) {
	if len(priv) != 32 {
		return nil, ErrInvalidLength
	}
	return &keys.PreKey{KeyPair: *keys.NewKeyPairFromPrivateKey([32]byte(priv)), KeyID: id}, nil
}

// GetPreKey returns the prekey, or nil when there is none (used or never made).
func (s *deviceStore) GetPreKey(ctx context.Context, id uint32) (*keys.PreKey, error) {
	r, err := s.q(ctx).GetPreKey(ctx, db.GetPreKeyParams{Jid: s.jid, KeyID: id})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return toPreKey(r.KeyID, r.PreKey)
}

func (s *deviceStore) RemovePreKey(ctx context.Context, id uint32) error {
	return s.q(ctx).DeletePreKey(ctx, db.DeletePreKeyParams{Jid: s.jid, KeyID: id})
}

func (s *deviceStore) MarkPreKeysAsUploaded(ctx context.Context, upToID uint32) error {
	return s.q(ctx).MarkPreKeysUploaded(ctx, db.MarkPreKeysUploadedParams{Jid: s.jid, UpTo: upToID})
}

func (s *deviceStore) UploadedPreKeyCount(ctx context.Context) (int, error) {
	n, err := s.q(ctx).CountUploadedPreKeys(ctx, s.jid)
	return int(n), err
}

// ---- sender keys

func (s *deviceStore) PutSenderKey(ctx context.Context, group, user string, session []byte) error {
	return s.q(ctx).PutSenderKey(ctx, db.PutSenderKeyParams{OurJid: s.jid, ChatID: group, SenderID: user, SenderKey: session})
}

func (s *deviceStore) GetSenderKey(ctx context.Context, group, user string) ([]byte, error) {
	key, err := s.q(ctx).GetSenderKey(ctx, db.GetSenderKeyParams{OurJid: s.jid, ChatID: group, SenderID: user})
	return key, noRow(err)
}
