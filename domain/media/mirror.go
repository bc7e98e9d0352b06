package media

import (
	"encoding/hex"
	"strings"

	"github.com/warest-go/warest/domain/message"
)

// DefaultMirrorTypes are the MIME types of received media WAREST mirrors by default
// (WAREST_DOWNLOAD_MEDIA_ALLOW_MIMETYPES).
var DefaultMirrorTypes = []string{
	"image/jpeg", "image/png", "image/webp", "image/gif",
	"video/mp4", "video/3gpp",
	"audio/ogg", "audio/opus", "audio/aac", "audio/mpeg", "audio/amr", "audio/mp4",
	"application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/plain",
}

// MirrorPolicy says which received media the gateway keeps a copy of.
type MirrorPolicy struct {
	Enabled bool     // WAREST_DOWNLOAD_MEDIA_RECEIVED
	Allow   []string // exact types, "type/*" or "*/*"
}

// Allows reports whether media of this MIME type (parameters ignored) is mirrored;
// a missing type never is.
func (p MirrorPolicy) Allows(mime string) bool {
	base := Base(mime)
	if !p.Enabled || base == "" {
		return false
	}
	major, _, _ := strings.Cut(base, "/")
	for _, a := range p.Allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == base || a == "*/*" || a == major+"/*" {
			return true
		}
	}
	return false
}

// MirrorKey is WAREST's key for the mirrored media of a received message:
// incoming-media/<session>/<kind>Message/<hex(fileSha256), else the message id>.<ext>
// (kind image gives imageMessage, Baileys' field). c must carry media.
func MirrorKey(sessionID, messageID string, c message.Content) string {
	name := messageID
	if len(c.Media.FileSHA256) > 0 {
		name = hex.EncodeToString(c.Media.FileSHA256)
	}
	if ext := ExtFor(c.Media.MIME); ext != "" {
		name += "." + ext
	}
	return MirrorPrefix + sessionID + "/" + string(c.Kind) + "Message/" + name
}

// MirrorPrefix starts every MirrorKey.
const MirrorPrefix = "incoming-media/"
