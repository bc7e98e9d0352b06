package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/adapters/whatsmeow/mysqlstore/internal/db"
)

// ---- contacts

func (s *deviceStore) getContact(ctx context.Context, user types.JID) (types.ContactInfo, error) {
	r, err := s.q(ctx).GetContact(ctx, db.GetContactParams{OurJid: s.jid, TheirJid: user.String()})
	if errors.Is(err, sql.ErrNoRows) {
		return types.ContactInfo{}, nil
	}
	if err != nil {
		return types.ContactInfo{}, err
	}
	return types.ContactInfo{Found: true, FirstName: r.FirstName.String, FullName: r.FullName.String,
		PushName: r.PushName.String, BusinessName: r.BusinessName.String, RedactedPhone: r.RedactedPhone.String}, nil
}

func (s *deviceStore) GetContact(ctx context.Context, user types.JID) (types.ContactInfo, error) {
	return s.getContact(ctx, user)
}

func (s *deviceStore) GetAllContacts(ctx context.Context) (map[types.JID]types.ContactInfo, error) {
	rows, err := s.q(ctx).GetAllContacts(ctx, s.jid)
	if err != nil {
		return nil, err
	}
	out := make(map[types.JID]types.ContactInfo, len(rows))
	for _, r := range rows {
		jid, err := types.ParseJID(r.TheirJid)
		if err != nil {
			return nil, err
		}
		out[jid] = types.ContactInfo{Found: true, FirstName: r.FirstName.String, FullName: r.FullName.String,
			PushName: r.PushName.String, BusinessName: r.BusinessName.String, RedactedPhone: r.RedactedPhone.String}
	}
	return out, nil
}

// putName stores a name that differs from the one stored, saying whether it did and
// what the name was before.
func (s *deviceStore) putName(ctx context.Context, user types.JID, name string, field func(types.ContactInfo) string,
	put func(context.Context, *db.Queries) error) (bool, string, error) {
	s.contactMu.Lock()
	defer s.contactMu.Unlock()
	info, err := s.getContact(ctx, user)
	if err != nil {
		return false, "", err
	}
	previous := field(info)
	if previous == name {
		return false, "", nil
	}
	if err := put(ctx, s.q(ctx)); err != nil {
		return false, "", err
	}
	return true, previous, nil
}

func (s *deviceStore) PutPushName(ctx context.Context, user types.JID, pushName string) (bool, string, error) {
	return s.putName(ctx, user, pushName, func(c types.ContactInfo) string { return c.PushName },
		func(ctx context.Context, q *db.Queries) error {
			return q.PutPushName(ctx, db.PutPushNameParams{OurJid: s.jid, TheirJid: user.String(), PushName: text(pushName)})
		})
}

func (s *deviceStore) PutBusinessName(ctx context.Context, user types.JID, businessName string) (bool, string, error) {
	return s.putName(ctx, user, businessName, func(c types.ContactInfo) string { return c.BusinessName },
		func(ctx context.Context, q *db.Queries) error {
			return q.PutBusinessName(ctx, db.PutBusinessNameParams{OurJid: s.jid, TheirJid: user.String(), BusinessName: text(businessName)})
		})
}

func (s *deviceStore) PutContactName(ctx context.Context, user types.JID, firstName, fullName string) error {
	s.contactMu.Lock()
	defer s.contactMu.Unlock()
	info, err := s.getContact(ctx, user)
	if err != nil || info.FirstName == firstName && info.FullName == fullName {
		return err
	}
	return s.q(ctx).PutContactName(ctx, db.PutContactNameParams{OurJid: s.jid, TheirJid: user.String(),
		FirstName: text(firstName), FullName: text(fullName)})
}

// PutAllContactNames stores a contact list sync in one transaction; of a contact
// listed twice, the first entry counts.
func (s *deviceStore) PutAllContactNames(ctx context.Context, contacts []store.ContactEntry) error {
	contacts = firstOfEach(contacts, func(c store.ContactEntry) types.JID { return c.JID })
	if len(contacts) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		q := s.q(ctx)
		for _, c := range contacts {
			if err := q.PutContactName(ctx, db.PutContactNameParams{OurJid: s.jid, TheirJid: c.JID.String(),
				FirstName: text(c.FirstName), FullName: text(c.FullName)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutManyRedactedPhones stores them in one transaction; the first entry of a contact counts.
func (s *deviceStore) PutManyRedactedPhones(ctx context.Context, entries []store.RedactedPhoneEntry) error {
	entries = firstOfEach(entries, func(e store.RedactedPhoneEntry) types.JID { return e.JID })
	if len(entries) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		q := s.q(ctx)
		for _, e := range entries {
			if err := q.PutRedactedPhone(ctx, db.PutRedactedPhoneParams{OurJid: s.jid, TheirJid: e.JID.String(),
				RedactedPhone: text(e.RedactedPhone)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// firstOfEach keeps the first entry of each key, in order (as sqlstore does).
func firstOfEach[T any, K comparable](in []T, key func(T) K) []T {
	seen := make(map[K]bool, len(in))
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !seen[key(v)] {
			seen[key(v)] = true
			out = append(out, v)
		}
	}
	return out
}

func text(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// ---- chat settings

// PutMutedUntil stores -1 for "muted forever" and 0 for "not muted", as sqlstore.
func (s *deviceStore) PutMutedUntil(ctx context.Context, chat types.JID, mutedUntil time.Time) error {
	var v int64
	switch {
	case mutedUntil.Equal(store.MutedForever):
		v = -1
	case !mutedUntil.IsZero():
		v = mutedUntil.Unix()
	}
	return s.q(ctx).PutMutedUntil(ctx, db.PutMutedUntilParams{OurJid: s.jid, ChatJid: chat.String(), MutedUntil: v})
}

func (s *deviceStore) PutPinned(ctx context.Context, chat types.JID, pinned bool) error {
	return s.q(ctx).PutPinned(ctx, db.PutPinnedParams{OurJid: s.jid, ChatJid: chat.String(), Pinned: pinned})
}

func (s *deviceStore) PutArchived(ctx context.Context, chat types.JID, archived bool) error {
	return s.q(ctx).PutArchived(ctx, db.PutArchivedParams{OurJid: s.jid, ChatJid: chat.String(), Archived: archived})
}

func (s *deviceStore) GetChatSettings(ctx context.Context, chat types.JID) (types.LocalChatSettings, error) {
	r, err := s.q(ctx).GetChatSettings(ctx, db.GetChatSettingsParams{OurJid: s.jid, ChatJid: chat.String()})
	if errors.Is(err, sql.ErrNoRows) {
		return types.LocalChatSettings{}, nil
	}
	if err != nil {
		return types.LocalChatSettings{}, err
	}
	settings := types.LocalChatSettings{Found: true, Pinned: r.Pinned, Archived: r.Archived}
	switch {
	case r.MutedUntil < 0:
		settings.MutedUntil = store.MutedForever
	case r.MutedUntil > 0:
		settings.MutedUntil = time.Unix(r.MutedUntil, 0)
	}
	return settings, nil
}

// ---- message secrets

// PutMessageSecrets stores them in one transaction, skipping incomplete ones; a
// message's first secret stays.
func (s *deviceStore) PutMessageSecrets(ctx context.Context, inserts []store.MessageSecretInsert) error {
	if len(inserts) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		for _, in := range inserts {
			if in.Chat.IsEmpty() || in.Sender.IsEmpty() || in.ID == "" || len(in.Secret) == 0 {
				continue
			}
			if err := s.PutMessageSecret(ctx, in.Chat, in.Sender, in.ID, in.Secret); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *deviceStore) PutMessageSecret(ctx context.Context, chat, sender types.JID, id types.MessageID, secret []byte) error {
	return s.q(ctx).PutMessageSecret(ctx, db.PutMessageSecretParams{OurJid: s.jid, ChatJid: chat.ToNonAD().String(),
		SenderJid: sender.ToNonAD().String(), MessageID: id, Secret: secret})
}

// GetMessageSecret finds the secret whether the chat and the sender were stored by
// phone number or by LID; nil when there is none.
func (s *deviceStore) GetMessageSecret(ctx context.Context, chat, sender types.JID, id types.MessageID) ([]byte, types.JID, error) {
	chats, err := s.lids.bothForms(ctx, chat.ToNonAD())
	if err != nil {
		return nil, types.JID{}, err
	}
	senders, err := s.lids.bothForms(ctx, sender.ToNonAD())
	if err != nil {
		return nil, types.JID{}, err
	}
	r, err := s.q(ctx).GetMessageSecret(ctx, db.GetMessageSecretParams{OurJid: s.jid, Chats: chats, Senders: senders, MessageID: id})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, types.JID{}, nil
	}
	if err != nil {
		return nil, types.JID{}, err
	}
	realSender, err := types.ParseJID(r.SenderJid)
	return r.Secret, realSender, err
}

// ---- privacy tokens

// PutPrivacyTokens stores them in one transaction; an older token never replaces
// a newer one, and a token without a sender timestamp keeps the stored one.
func (s *deviceStore) PutPrivacyTokens(ctx context.Context, tokens ...store.PrivacyToken) error {
	if len(tokens) == 0 {
		return nil
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		q := s.q(ctx)
		for _, t := range tokens {
			var senderTS sql.NullInt64
			if !t.SenderTimestamp.IsZero() {
				senderTS = sql.NullInt64{Int64: t.SenderTimestamp.Unix(), Valid: true}
			}
			if err := q.PutPrivacyToken(ctx, db.PutPrivacyTokenParams{OurJid: s.jid, TheirJid: t.User.ToNonAD().String(),
				Token: t.Token, TokenTimestamp: t.Timestamp.Unix(), SenderTimestamp: senderTS}); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetPrivacyToken is the newest token stored for the user by phone number or by
// LID; nil when there is none.
func (s *deviceStore) GetPrivacyToken(ctx context.Context, user types.JID) (*store.PrivacyToken, error) {
	user = user.ToNonAD()
	forms, err := s.lids.bothForms(ctx, user)
	if err != nil {
		return nil, err
	}
	r, err := s.q(ctx).GetPrivacyToken(ctx, db.GetPrivacyTokenParams{OurJid: s.jid, TheirJids: forms})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	token := &store.PrivacyToken{User: user, Token: r.Token, Timestamp: time.Unix(r.TokenTimestamp, 0)}
	if r.SenderTimestamp.Valid {
		token.SenderTimestamp = time.Unix(r.SenderTimestamp.Int64, 0)
	}
	return token, nil
}

func (s *deviceStore) DeleteExpiredPrivacyTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	return s.q(ctx).DeleteExpiredPrivacyTokens(ctx, db.DeleteExpiredPrivacyTokensParams{OurJid: s.jid, Cutoff: cutoff.Unix()})
}

// ---- NCT salt

func (s *deviceStore) PutNCTSalt(ctx context.Context, salt []byte) error {
	return s.q(ctx).PutNCTSalt(ctx, db.PutNCTSaltParams{OurJid: s.jid, Salt: salt})
}

func (s *deviceStore) GetNCTSalt(ctx context.Context) ([]byte, error) {
	salt, err := s.q(ctx).GetNCTSalt(ctx, s.jid)
	return salt, noRow(err)
}

func (s *deviceStore) DeleteNCTSalt(ctx context.Context) error {
	return s.q(ctx).DeleteNCTSalt(ctx, s.jid)
}
