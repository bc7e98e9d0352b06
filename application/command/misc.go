package command

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/wacrypto"
	"github.com/warest-go/warest/ports"
)

// The misc utilities' bounds (WAREST: 50 MB files).
const (
	MaxMiscFileBytes = 50 << 20
	MaxThumbnails    = 10
	MaxImageSide     = 4096
	DefaultThumbSide = 320
	DefaultStills    = 3
)

// MiscConfig tunes the misc utilities.
type MiscConfig struct {
	// TempTTL is how long a stored misc output (output=url|file) is meant to live
	// (WAREST_STORAGE_TEMP_TTL_SEC: 300 s, at least 60 s).
	TempTTL time.Duration
}

// DefaultMisc matches WAREST.
var DefaultMisc = MiscConfig{TempTTL: 300 * time.Second}

// Misc runs WAREST's misc utilities: QR codes, WhatsApp decryption, number and
// address checks, thumbnails and images, and the pure helpers (misc_tools.go).
type Misc struct {
	cfg      MiscConfig
	store    ports.Store
	contacts ports.Contacts       // nil: existence is not checked
	phones   ports.PhoneNumbers   // nil: digits only, no country
	qr       ports.QRImages       // nil: QR images answer 503
	secrets  ports.MessageSecrets // nil: a poll vote needs pollEncKey
	clock    ports.Clock
	ids      ports.IDs
	media    mediaPrep
}

// Output modes of a misc result.
const (
	OutputBase64 = "base64" // a data URI in the answer
	OutputURL    = "url"
	OutputFile   = "file"
)

// MiscOutput is a produced file as the client gets it: a data URI, or where it was
// stored.
type MiscOutput struct {
	Mode      string
	DataURI   string // OutputBase64
	Key       string // OutputURL, OutputFile: the blob key
	MIME      string
	Size      int64
	ExpiresAt time.Time // stored outputs are temporary
}

// deliver answers data in mode: inline as a data URI, or stored in the blob store
// under misc/tmp/ (the prefix says it may be swept once ExpiresAt passes).
func (m *Misc) deliver(ctx context.Context, data []byte, mime, mode string) (MiscOutput, error) {
	switch mode {
	case "", OutputBase64:
		return MiscOutput{Mode: OutputBase64, DataURI: "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data),
			MIME: mime, Size: int64(len(data))}, nil
	case OutputURL, OutputFile:
	default:
		return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "output must be base64, url or file")
	}
	if m.media.blobs == nil {
		return MiscOutput{}, fault.New(fault.KindUnavailable, "", "file storage is not configured")
	}
	now := m.clock.Now().UTC()
	key := "misc/tmp/" + now.Format("2006-01-02") + "/" + strings.ToLower(m.ids.NewID()) + "." + extOf(mime)
	info, err := m.media.blobs.Put(ctx, key, bytes.NewReader(data), mime)
	if err != nil {
		return MiscOutput{}, err
	}
	return MiscOutput{Mode: mode, Key: key, MIME: mime, Size: info.Size, ExpiresAt: now.Add(m.ttl())}, nil
}

func (m *Misc) ttl() time.Duration { return max(m.cfg.TempTTL, time.Minute) }

// extOf names a stored output's extension; media knows no TIFF, AVIF or SVG.
func extOf(mime string) string {
	if e, ok := map[string]string{"image/svg+xml": "svg", "image/tiff": "tiff", "image/avif": "avif"}[mime]; ok {
		return e
	}
	if e := media.ExtFor(mime); e != "" {
		return e
	}
	return "bin"
}

// qrTargets are the QR route's targets and the MIME type each makes.
var qrTargets = map[string]string{"base64": "image/png", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
	"svg": "image/svg+xml", "webp": "image/webp"}

// QR draws text as a QR code. target base64 answers a PNG data URI; an image
// target is stored as a temporary file unless mode asks for base64.
func (m *Misc) QR(ctx context.Context, text, encoding, target, mode string) (MiscOutput, error) {
	mime, ok := qrTargets[strings.ToLower(target)]
	if !ok {
		return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "target must be base64, svg, png, jpg, jpeg or webp")
	}
	payload, err := decodeText(text, encoding)
	if err != nil {
		return MiscOutput{}, err
	}
	if m.qr == nil {
		return MiscOutput{}, fault.New(fault.KindUnavailable, "", "QR images are not configured")
	}
	format := map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg", "image/webp": "png"}[mime]
	img, err := m.qr.QRImage(string(payload), format)
	if err != nil {
		return MiscOutput{}, err
	}
	if mime == "image/webp" {
		if m.media.transcoder == nil {
			return MiscOutput{}, fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "converting images is not configured")
		}
		// Lossless quality keeps the modules sharp.
		out, err := m.media.transcoder.EditImage(ctx, img, ports.ImageEdit{Format: "webp", Quality: 100})
		if err != nil {
			return MiscOutput{}, err
		}
		img = out.Data
	}
	switch {
	case strings.EqualFold(target, "base64"):
		mode = OutputBase64
	case mode == "":
		mode = OutputURL
	}
	return m.deliver(ctx, img, mime, mode)
}

// decodeText reads a string given as utf8 (default), base64 or hex.
func decodeText(s, encoding string) ([]byte, error) {
	if s == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "string is required")
	}
	switch strings.ToLower(encoding) {
	case "", "utf8", "utf-8", "text":
		return []byte(s), nil
	case "base64":
		return decodeBase64(s)
	case "hex":
		b, err := hex.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, fault.Invalid(fault.ReasonInvalidParameter, "string is not hex")
		}
		return b, nil
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "encoding must be utf8, base64 or hex")
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
func (m *Misc) DecryptFile(ctx context.Context, in DecryptFileInput) (MiscOutput, error) {
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
	return m.deliver(ctx, plain, media.Pick(media.Sniff(plain), in.MIME, ""), in.Output)
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
func (m *Misc) PollVote(ctx context.Context, p account.Principal, in PollVoteInput) (PollVoteResult, error) {
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
func (m *Misc) poll(ctx context.Context, sessionID, id string) *message.Poll {
	if o, err := m.store.Messages().Get(ctx, sessionID, id); err == nil && o.Content.Poll != nil {
		return o.Content.Poll
	}
	if r, err := m.store.Inbound().Get(ctx, sessionID, id); err == nil && r.Content.Poll != nil {
		return r.Content.Poll
	}
	return nil
}
