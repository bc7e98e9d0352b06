package media

import (
	"encoding/hex"
	"strings"
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

// MirrorKey is WAREST's key for mirrored media:
// incoming-media/<session>/<field>/<hex(fileSha256), else the message id>.<ext>,
// where field is the message's Baileys field (imageMessage, documentMessage...).
func MirrorKey(sessionID, field string, fileSHA256 []byte, messageID, mime string) string {
	name := messageID
	if len(fileSHA256) > 0 {
		name = hex.EncodeToString(fileSHA256)
	}
	if ext := ExtFor(mime); ext != "" {
		name += "." + ext
	}
	return "incoming-media/" + sessionID + "/" + field + "/" + name
}
