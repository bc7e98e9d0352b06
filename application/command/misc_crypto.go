package command

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/wacrypto"
	"github.com/warest-go/warest/ports"
)

// MiscCrypto decrypts WhatsApp media and poll votes.
type MiscCrypto struct {
	store   ports.Store
	secrets ports.MessageSecrets // nil: a poll vote needs pollEncKey
	media   mediaPrep
	out     tempFiles
}

// DecryptFileInput is an encrypted WhatsApp file and its keys.
type DecryptFileInput struct {
	MediaKey   string // base64 or hex
	File       MediaSource
	MIME       string // picks the key kind; "" is a document
	FileSHA256 string // base64 or hex; "" skips the check
	Output     string
}

// DecryptFile fetches (through the guarded fetcher) and decrypts WhatsApp media.
func (m *MiscCrypto) DecryptFile(ctx context.Context, in DecryptFileInput) (MiscOutput, error) {
	key, err := decodeBinary(in.MediaKey, "mediaKey")
	if err != nil {
		return MiscOutput{}, err
	}
	var sum []byte
	if in.FileSHA256 != "" {
		if sum, err = decodeBinary(in.FileSHA256, "fileSha256"); err != nil {
			return MiscOutput{}, err
		}
	}
	src, err := m.media.load(ctx, in.File)
	if err != nil {
		return MiscOutput{}, err
	}
	plain, err := wacrypto.DecryptMedia(key, src.Data, wacrypto.MediaTypeFor(in.MIME), sum)
	if err != nil {
		return MiscOutput{}, err
	}
	return m.out.deliver(ctx, plain, media.Pick(media.Sniff(plain), in.MIME, ""), in.Output)
}

// PollVoteInput is an encrypted poll vote and what it is bound to.
type PollVoteInput struct {
	SessionID   string
	Secret      []byte // pollEncKey; nil: the session's device's copy
	PollID      string
	Chat        string // where the poll is
	CreatorJID  string
	VoterJID    string
	Payload, IV []byte
}

// PollVoteResult is a decrypted vote; Options are known when the poll is in our
// store (sent or received by the session).
type PollVoteResult struct {
	Hashes     [][]byte
	Indexes    []int
	Names      []string
	Poll       *message.Poll
	CreatorJID string
	VoterJID   string
}

// PollVote decrypts a vote for the caller's session.
func (m *MiscCrypto) PollVote(ctx context.Context, p account.Principal, in PollVoteInput) (PollVoteResult, error) {
	sess, err := ownedSession(ctx, m.store, p, in.SessionID)
	if err != nil {
		return PollVoteResult{}, err
	}
	if in.PollID == "" || in.CreatorJID == "" || in.VoterJID == "" {
		return PollVoteResult{}, fault.Invalid(fault.ReasonMissingParameter,
			"the poll's message id, its creator and the voter are required (in pollUpdateVote or as pollMsgId, pollCreatorJid, voterJid)")
	}
	creator, err := chat.ParseJID(in.CreatorJID)
	if err != nil {
		return PollVoteResult{}, err
	}
	voter, err := chat.ParseJID(in.VoterJID)
	if err != nil {
		return PollVoteResult{}, err
	}
	secret := in.Secret
	if secret == nil {
		if m.secrets == nil {
			return PollVoteResult{}, fault.Invalid(fault.ReasonMissingParameter, "pollEncKey is required: this transport keeps no poll secrets")
		}
		if secret, err = m.secrets.MessageSecret(ctx, sess.ID(), in.Chat, creator.String(), in.PollID); err != nil {
			return PollVoteResult{}, err
		}
	}
	hashes, err := wacrypto.DecryptPollVote(wacrypto.PollVote{Secret: secret, PollID: in.PollID, CreatorJID: creator.String(),
		VoterJID: voter.String(), Payload: in.Payload, IV: in.IV})
	if err != nil {
		return PollVoteResult{}, err
	}
	out := PollVoteResult{Hashes: hashes, Indexes: []int{}, Names: []string{}, CreatorJID: creator.String(), VoterJID: voter.String()}
	if out.Poll = m.poll(ctx, sess.ID(), in.PollID); out.Poll != nil {
		out.Indexes = wacrypto.Selected(out.Poll.Options, hashes)
		for _, i := range out.Indexes {
			out.Names = append(out.Names, out.Poll.Options[i])
		}
	}
	return out, nil
}

// poll finds a poll the session sent or received; nil when the store has none.
func (m *MiscCrypto) poll(ctx context.Context, sessionID, id string) *message.Poll {
	if o, err := m.store.Messages().Get(ctx, sessionID, id); err == nil && o.Content.Poll != nil {
		return o.Content.Poll
	}
	if r, err := m.store.Inbound().Get(ctx, sessionID, id); err == nil && r.Content.Poll != nil {
		return r.Content.Poll
	}
	return nil
}

// decodeBinary reads bytes given as hex (an even number of hex digits) or base64
// (standard or URL alphabet, padded or not).
func decodeBinary(s, field string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "%s is required", field)
	}
	if len(s)%2 == 0 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "%s must be base64 or hex", field)
}
