package whatsmeow

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// waSender is the part of *whatsmeow.Client that sending uses; tests fake it.
type waSender interface {
	SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...wm.SendRequestExtra) (wm.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo wm.MediaType) (wm.UploadResponse, error)
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	SendPresence(ctx context.Context, state types.Presence) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	SendAppState(ctx context.Context, patch appstate.PatchInfo) error
}

var _ waSender = (*wm.Client)(nil)

// sender performs outbound actions through a client.
type sender struct {
	cli   waSender
	blobs ports.BlobStore
	polls *pollBook
	now   func() time.Time
}

// send uploads the media, if any, builds the message and sends it under the
// client-chosen id, so a retried send reuses it.
func (s sender) send(ctx context.Context, m message.Outbound) (ports.SendReceipt, error) {
	b := built{now: s.now()}
	if mt, ok := mediaType(m.Content.Kind); ok {
		up, err := s.upload(ctx, m.Content.Media, mt)
		if err != nil {
			return ports.SendReceipt{}, err
		}
		b.upload = up
	}
	if img := headerImage(m.Content); img != nil {
		up, err := s.upload(ctx, img, wm.MediaImage)
		if err != nil {
			return ports.SendReceipt{}, err
		}
		b.upload = up
	}
	if m.Content.Kind == message.KindPoll {
		b.secret = make([]byte, 32)
		_, _ = rand.Read(b.secret) // crypto/rand never fails
	}
	msg, err := toProto(m.To, m.Content, b)
	if err != nil {
		return ports.SendReceipt{}, fault.Invalid(fault.ReasonInvalidParameter, "%v", err)
	}
	extra := wm.SendRequestExtra{ID: m.ID}
	if nodes := bizNodes(m.To, m.Content, b.now); nodes != nil {
		extra.AdditionalNodes = &nodes
	}
	resp, err := s.cli.SendMessage(ctx, toJID(m.To), msg, extra)
	if err != nil {
		return ports.SendReceipt{}, sendError(err, "whatsapp refused the message")
	}
	if m.Content.Kind == message.KindPoll {
		s.polls.remember(m.ID, m.Content.Poll.Options)
	}
	return ports.SendReceipt{ID: resp.ID, Timestamp: resp.Timestamp.UTC()}, nil
}

// upload encrypts and uploads the attachment's bytes from the blob store.
func (s sender) upload(ctx context.Context, m *message.Media, mt wm.MediaType) (wm.UploadResponse, error) {
	if s.blobs == nil {
		return wm.UploadResponse{}, fault.FailedPrecondition(fault.ReasonInvalidState, "no media store is configured")
	}
	rc, _, err := s.blobs.Open(ctx, m.BlobKey)
	if err != nil {
		return wm.UploadResponse{}, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return wm.UploadResponse{}, fmt.Errorf("whatsmeow: read media: %w", err)
	}
	up, err := s.cli.Upload(ctx, data, mt)
	if err != nil {
		return wm.UploadResponse{}, sendError(err, "media upload failed")
	}
	return up, nil
}

// sendError classes whatsmeow's errors for the send queue: what can never succeed
// is permanent (no such group, not a participant, an address WhatsApp cannot send
// to, no linked device), a dropped connection or a timeout transient. Anything else
// stays unclassified: the queue tries it a few times before failing it.
func sendError(err error, what string) error {
	switch {
	case errors.Is(err, wm.ErrGroupNotFound):
		return fault.Wrap(err, fault.KindNotFound, fault.ReasonGroupNotFound, what+": the group does not exist")
	case errors.Is(err, wm.ErrNotInGroup):
		return fault.Wrap(err, fault.KindForbidden, "", what+": the account is not a participant of the group")
	case errors.Is(err, wm.ErrUnknownServer), errors.Is(err, wm.ErrBroadcastListUnsupported),
		errors.Is(err, wm.ErrRecipientADJID), errors.Is(err, wm.ErrInvalidInlineBotID):
		return fault.Wrap(err, fault.KindInvalid, fault.ReasonRecipientInvalid, what+": WhatsApp cannot send to this address")
	case errors.Is(err, wm.ErrNotLoggedIn):
		return fault.Wrap(err, fault.KindFailedPrecondition, fault.ReasonNotPaired, what+": the session is not paired")
	case errors.Is(err, wm.ErrNotConnected), errors.Is(err, wm.ErrIQTimedOut), errors.Is(err, wm.ErrMessageTimedOut),
		errors.Is(err, context.DeadlineExceeded):
		return fault.Wrap(err, fault.KindUnavailable, fault.ReasonSessionNotOpen, what+": WhatsApp is not reachable now")
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (s sender) markRead(ctx context.Context, c, from chat.JID, ids []string, at time.Time) error {
	var author types.JID
	if !from.IsZero() {
		author = toJID(from)
	}
	return s.cli.MarkRead(ctx, ids, at, toJID(c), author)
}

func (s sender) presence(ctx context.Context, available bool) error {
	state := types.PresenceUnavailable
	if available {
		state = types.PresenceAvailable
	}
	return s.cli.SendPresence(ctx, state)
}

func (s sender) chatPresence(ctx context.Context, c chat.JID, state ports.ChatState) error {
	switch state {
	case ports.ChatComposing:
		return s.cli.SendChatPresence(ctx, toJID(c), types.ChatPresenceComposing, types.ChatPresenceMediaText)
	case ports.ChatRecording:
		return s.cli.SendChatPresence(ctx, toJID(c), types.ChatPresenceComposing, types.ChatPresenceMediaAudio)
	case ports.ChatPaused:
		return s.cli.SendChatPresence(ctx, toJID(c), types.ChatPresencePaused, types.ChatPresenceMediaText)
	}
	return fault.Invalid(fault.ReasonInvalidParameter, "unknown chat state %q", state)
}

// Send delivers one message through the session's logged-in client.
func (t *Transport) Send(ctx context.Context, sessionID string, m message.Outbound) (ports.SendReceipt, error) {
	s, err := t.sender(sessionID)
	if err != nil {
		return ports.SendReceipt{}, err
	}
	return s.send(ctx, m)
}

// MarkRead sends read receipts.
func (t *Transport) MarkRead(ctx context.Context, sessionID string, c, from chat.JID, ids []string, at time.Time) error {
	s, err := t.sender(sessionID)
	if err != nil {
		return err
	}
	return s.markRead(ctx, c, from, ids, at)
}

// SetPresence announces the account as available or not. whatsmeow announces a
// name with it, which comes with the app state (see synced).
func (t *Transport) SetPresence(ctx context.Context, sessionID string, available bool) error {
	s, err := t.synced(ctx, sessionID)
	if err != nil {
		return err
	}
	return s.presence(ctx, available)
}

// SetChatPresence shows typing or recording in a chat.
func (t *Transport) SetChatPresence(ctx context.Context, sessionID string, c chat.JID, state ports.ChatState) error {
	s, err := t.sender(sessionID)
	if err != nil {
		return err
	}
	return s.chatPresence(ctx, c, state)
}

// ChangeMessage stars, unstars or deletes a message for the account (app state).
func (t *Transport) ChangeMessage(ctx context.Context, sessionID string, target message.Reference, change ports.MessageChange) error {
	s, err := t.synced(ctx, sessionID)
	if err != nil {
		return err
	}
	patch, err := messagePatch(target, change, s.now())
	if err != nil {
		return fault.Invalid(fault.ReasonInvalidParameter, "%v", err)
	}
	return s.cli.SendAppState(ctx, patch)
}

// ChangeChat mutes, archives, pins or clears a chat for the account (app state).
func (t *Transport) ChangeChat(ctx context.Context, sessionID string, c chat.JID, change ports.ChatChange) error {
	s, err := t.synced(ctx, sessionID)
	if err != nil {
		return err
	}
	patch, err := chatPatch(c, change, s.now())
	if err != nil {
		return fault.Invalid(fault.ReasonInvalidParameter, "%v", err)
	}
	return s.cli.SendAppState(ctx, patch)
}

// synced returns a sender once the session's client is logged in and has the
// account's app state: right after a link, that takes the phone a moment (it
// shares the app state key, the client syncs the name), and until then whatsmeow
// sends no presence and no app state patch.
func (t *Transport) synced(ctx context.Context, sessionID string) (sender, error) {
	r, _, err := t.client(sessionID)
	if err != nil {
		return sender{}, err
	}
	if _, err := r.name.wait(ctx); err != nil {
		return sender{}, err
	}
	return t.sender(sessionID)
}

// sender returns a sender over the session's client when it is logged in.
func (t *Transport) sender(sessionID string) (sender, error) {
	r, cli, err := t.client(sessionID)
	if err != nil {
		return sender{}, err
	}
	return sender{cli: cli, blobs: t.blobs, polls: r.polls, now: time.Now}, nil
}

// client returns the session's runner and client when it is logged in.
func (t *Transport) client(sessionID string) (*runner, *wm.Client, error) {
	r, err := t.running(sessionID)
	if err != nil {
		return nil, nil, err
	}
	cli, ok := r.connected()
	if !ok {
		return nil, nil, fault.New(fault.KindUnavailable, "", "session %s is not connected to WhatsApp", sessionID)
	}
	return r, cli, nil
}

// pollBook remembers the options of recent polls so decrypted votes (which carry
// option hashes) can be reported by name. It is bounded; older polls fall back to hashes.
type pollBook struct {
	mu    sync.Mutex
	byID  map[string][]string
	order []string
}

const pollBookSize = 1000

func newPollBook() *pollBook { return &pollBook{byID: map[string][]string{}} }

func (p *pollBook) remember(id string, options []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.byID[id]; !ok {
		p.order = append(p.order, id)
	}
	p.byID[id] = append([]string(nil), options...)
	if len(p.order) > pollBookSize {
		delete(p.byID, p.order[0])
		p.order = p.order[1:]
	}
}

func (p *pollBook) options(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byID[id]
}
