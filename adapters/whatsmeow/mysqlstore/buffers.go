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

// WhatsApp's servers keep undelivered events 14 days; whatsmeow keeps its own sent
// messages 7 days for retry receipts.
const (
	bufferedEventTTL = 14 * 24 * time.Hour
	outgoingEventTTL = 7 * 24 * time.Hour
)

// ---- decryption buffer

// GetBufferedEvent is the event decrypted from a ciphertext before, or nil.
func (s *deviceStore) GetBufferedEvent(ctx context.Context, ciphertextHash [32]byte) (*store.BufferedEvent, error) {
	r, err := s.q(ctx).GetBufferedEvent(ctx, db.GetBufferedEventParams{OurJid: s.jid, CiphertextHash: ciphertextHash[:]})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var plaintext []byte // NULL once cleared; MySQL's sqlc types a nullable BLOB as a NullString
	if r.Plaintext.Valid {
		plaintext = []byte(r.Plaintext.String)
	}
	return &store.BufferedEvent{Plaintext: plaintext, ServerTime: time.Unix(r.ServerTimestamp, 0),
		InsertTime: time.UnixMilli(r.InsertTimestamp)}, nil
}

func (s *deviceStore) PutBufferedEvent(ctx context.Context, ciphertextHash [32]byte, plaintext []byte, serverTimestamp time.Time) error {
	return s.q(ctx).PutBufferedEvent(ctx, db.PutBufferedEventParams{OurJid: s.jid, CiphertextHash: ciphertextHash[:],
		Plaintext: sql.NullString{String: string(plaintext), Valid: plaintext != nil}, ServerTimestamp: serverTimestamp.Unix(), InsertTimestamp: time.Now().UnixMilli()})
}

// DoDecryptionTxn runs fn in one transaction: the session it ratchets and the
// buffered plaintext are stored together, or neither.
func (s *deviceStore) DoDecryptionTxn(ctx context.Context, fn func(context.Context) error) error {
	return s.inTx(ctx, fn)
}

func (s *deviceStore) ClearBufferedEventPlaintext(ctx context.Context, ciphertextHash [32]byte) error {
	return s.q(ctx).ClearBufferedEventPlaintext(ctx, db.ClearBufferedEventPlaintextParams{OurJid: s.jid, CiphertextHash: ciphertextHash[:]})
}

func (s *deviceStore) DeleteOldBufferedHashes(ctx context.Context) error {
	return s.q(ctx).DeleteOldBufferedEvents(ctx, db.DeleteOldBufferedEventsParams{OurJid: s.jid,
		Cutoff: time.Now().Add(-bufferedEventTTL).UnixMilli()})
}

// ---- retry buffer

// GetOutgoingEvent is a message this device sent to the chat (by either of its
// JIDs), to encrypt again for a retry receipt; sql.ErrNoRows when it is not kept,
// as sqlstore answers.
func (s *deviceStore) GetOutgoingEvent(ctx context.Context, chatJID, altChatJID types.JID, id types.MessageID) (string, []byte, error) {
	chats := []string{chatJID.String()}
	if !altChatJID.IsEmpty() {
		chats = append(chats, altChatJID.String())
	}
	r, err := s.q(ctx).GetOutgoingEvent(ctx, db.GetOutgoingEventParams{OurJid: s.jid, Chats: chats, MessageID: id})
	if err != nil {
		return "", nil, err
	}
	return r.Format, r.Plaintext, nil
}

func (s *deviceStore) AddOutgoingEvent(ctx context.Context, chatJID types.JID, id types.MessageID, format string, plaintext []byte) error {
	return s.q(ctx).AddOutgoingEvent(ctx, db.AddOutgoingEventParams{OurJid: s.jid, ChatJid: chatJID.String(), MessageID: id,
		Format: format, Plaintext: plaintext, StoredTimestamp: time.Now().UnixMilli()})
}

func (s *deviceStore) DeleteOldOutgoingEvents(ctx context.Context) error {
	return s.q(ctx).DeleteOldOutgoingEvents(ctx, db.DeleteOldOutgoingEventsParams{OurJid: s.jid,
		Cutoff: time.Now().Add(-outgoingEventTTL).UnixMilli()})
}
