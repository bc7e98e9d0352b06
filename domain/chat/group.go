package chat

import (
	"strings"

	"github.com/warest-go/warest/domain/fault"
)

// ParseGroup reads a group id as clients give it: the raw id ("120363…", or the
// legacy "creator-timestamp") or the full JID ending in @g.us.
func ParseGroup(raw string) (JID, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return JID{}, fault.Invalid(fault.ReasonMissingParameter, "groupId is required")
	}
	if !strings.Contains(raw, "@") {
		raw += "@" + ServerGroup
	}
	j, err := ParseJID(raw)
	if err != nil || j.Kind() != KindGroup {
		return JID{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid groupId %q: a group id or a JID ending in @g.us", strings.TrimSuffix(raw, "@"+ServerGroup))
	}
	return j, nil
}

// InviteLinkPrefix is how WhatsApp shows a group invite code as a link.
const InviteLinkPrefix = "https://chat.whatsapp.com/"

// InviteCode reads an invite link or bare code and returns the code.
func InviteCode(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fault.Invalid(fault.ReasonMissingParameter, "inviteLink is required")
	}
	code := strings.TrimPrefix(strings.TrimPrefix(raw, "http://chat.whatsapp.com/"), InviteLinkPrefix)
	code = strings.TrimSuffix(code, "/")
	if len(code) < 6 || len(code) > 64 || strings.IndexFunc(code, func(r rune) bool {
		return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}) >= 0 {
		return "", fault.Invalid(fault.ReasonInviteInvalid, "%q is not a WhatsApp invite link or code", raw)
	}
	return code, nil
}
