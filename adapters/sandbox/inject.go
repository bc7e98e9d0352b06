package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Inject delivers a message from a virtual person: to the session directly, or
// into a group the session is in (every member session gets it). It follows the
// rules sessions follow: announce groups, own edits within the window, revokes.
// A stopped session gets it when it starts again.
func (n *Network) Inject(sessionID string, in ports.SandboxInbound) (string, error) {
	digits, err := parsePhone(in.From)
	if err != nil {
		return "", err
	}
	if err := validateInbound(in.Content); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	st, err := n.paired(sessionID)
	if err != nil {
		return "", err
	}
	from, err := n.counterpart(st, digits, in.Group)
	if err != nil {
		return "", err
	}
	to := in.Group
	if to.IsZero() {
		to = st.me.jid()
	}
	id := n.newMessageID()
	if in.MediaData != nil && in.Content.Media != nil {
		sum := sha256.Sum256(in.MediaData)
		media := *in.Content.Media
		media.FileSHA256, media.Size = sum[:], int64(len(in.MediaData))
		in.Content.Media = &media
		n.media[hex.EncodeToString(sum[:])] = in.MediaData
	}
	// The push name names this message only: people are shared by every user's sessions.
	return id, n.post(from, in.PushName, to, id, in.Content)
}

// DownloadMedia serves the file a virtual person sent with the media, as WhatsApp's
// CDN serves it to the session; media sent without its bytes is not found.
func (n *Network) DownloadMedia(_ context.Context, m message.Inbound) (io.ReadCloser, error) {
	c := m.Content
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.paired(m.SessionID); err != nil {
		return nil, err
	}
	if c.Media == nil {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "the message has no media")
	}
	data, ok := n.media[hex.EncodeToString(c.Media.FileSHA256)]
	if !ok {
		return nil, fault.NotFound("", "media %x is not on the sandbox CDN", c.Media.FileSHA256)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// counterpart is the virtual person with phone digits who acts towards the session,
// directly or in group (when not zero), which both must be in. Caller holds n.mu.
func (n *Network) counterpart(st *sessionState, digits string, group chat.JID) (*person, error) {
	p, err := n.reachable(chat.UserJID(digits))
	if err != nil {
		return nil, err
	}
	if p == st.me {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "a session cannot receive from its own phone")
	}
	if !group.IsZero() {
		if _, err := n.memberGroup(st.me, group); err != nil {
			return nil, err
		}
		if _, err := n.memberGroup(p, group); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// InjectText is Inject for a direct text message.
func (n *Network) InjectText(sessionID, fromPhone, pushName, text string) (string, error) {
	return n.Inject(sessionID, ports.SandboxInbound{From: fromPhone, PushName: pushName, Content: message.TextContent(text)})
}

// validateInbound checks what a virtual phone could send: the outbound rules, except
// that media comes without a blob and inbound-only kinds are allowed.
func validateInbound(c message.Content) error {
	switch c.Kind {
	case message.KindImage, message.KindVideo, message.KindAudio, message.KindDocument, message.KindSticker:
		if c.Media == nil || c.Media.MIME == "" {
			return fault.Invalid(fault.ReasonMissingParameter, "media needs a MIME type")
		}
	case message.KindPollVote:
		if c.PollVote == nil || c.PollVote.Poll.ID == "" || len(c.PollVote.Selected) == 0 {
			return fault.Invalid(fault.ReasonMissingParameter, "a poll vote needs the poll id and the selected options")
		}
	case message.KindGroupInvite:
		if c.Invite == nil || c.Invite.Code == "" {
			return fault.Invalid(fault.ReasonMissingParameter, "a group invite needs a code")
		}
	case message.KindInteractiveReply:
		if c.Answer == nil || c.Answer.ID == "" {
			return fault.Invalid(fault.ReasonMissingParameter, "an interactive reply needs the chosen id")
		}
	case message.KindUnknown:
	default:
		return c.Validate()
	}
	return nil
}
