package command

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/ports"
)

// MiscCodes draws QR codes and encodes and decodes base64.
type MiscCodes struct {
	qr         ports.QRImages        // nil: QR images answer 503
	transcoder ports.MediaTranscoder // nil: webp QR images answer 503
	out        tempFiles
}

// qrTargets are the QR route's targets and the MIME type each makes.
var qrTargets = map[string]string{"base64": "image/png", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
	"svg": "image/svg+xml", "webp": "image/webp"}

// QR draws text as a QR code. target base64 answers a PNG data URI; an image
// target is stored as a temporary file unless mode asks for base64.
func (m *MiscCodes) QR(ctx context.Context, text, encoding, target, mode string) (MiscOutput, error) {
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
		if m.transcoder == nil {
			return MiscOutput{}, fault.New(fault.KindUnavailable, ports.ReasonNoTranscoder, "converting images is not configured")
		}
		// Lossless quality keeps the modules sharp.
		out, err := m.transcoder.EditImage(ctx, img, ports.ImageEdit{Format: "webp", Quality: 100})
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
	return m.out.deliver(ctx, img, mime, mode)
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

// Base64 encodes input, or decodes it to text (output string), normalised base64,
// or a stored file (output url|file).
func (m *MiscCodes) Base64(ctx context.Context, action, input, output string) (MiscOutput, error) {
	switch action {
	case "", "encode":
		if output != "" && output != "string" && output != OutputBase64 {
			return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "encoding answers a string: output must be string or base64")
		}
		return MiscOutput{Mode: "string", DataURI: base64.StdEncoding.EncodeToString([]byte(input)), Size: int64(len(input))}, nil
	case "decode":
	default:
		return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "action must be encode or decode")
	}
	if s, ok := strings.CutPrefix(input, "data:"); ok {
		_, input, _ = strings.Cut(s, ",")
	}
	data, err := decodeBase64(input)
	if err != nil {
		return MiscOutput{}, err
	}
	switch output {
	case "", "string":
		if !utf8.Valid(data) {
			return MiscOutput{}, fault.Invalid(fault.ReasonInvalidParameter, "the decoded bytes are not text: ask for output base64, url or file")
		}
		return MiscOutput{Mode: "string", DataURI: string(data), Size: int64(len(data))}, nil
	}
	return m.out.deliver(ctx, data, media.Pick(media.Sniff(data), "", ""), output)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "input is not base64")
}
