package chat

import (
	"strings"

	"github.com/warest-go/warest/domain/fault"
)

// Normalizer turns what a client typed into a JID, following WAREST's rules: known
// JIDs are kept, @c.us becomes @s.whatsapp.net, anything else is reduced to digits
// with a leading 00 stripped and a leading 0 replaced by the default country code.
type Normalizer struct {
	DefaultCountryCode string // digits, e.g. "62"
}

// minPhoneDigits and maxPhoneDigits bound an E.164 number (country code included).
const (
	minPhoneDigits = 7
	maxPhoneDigits = 15
)

// Normalize maps one recipient string to a JID.
func (n Normalizer) Normalize(raw string) (JID, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return JID{}, fault.Invalid(fault.ReasonMissingParameter, "recipient is empty")
	}
	if strings.Contains(raw, "@") {
		return ParseJID(raw)
	}
	digits := n.Phone(raw)
	if len(digits) < minPhoneDigits || len(digits) > maxPhoneDigits {
		return JID{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid phone number %q", raw)
	}
	return UserJID(digits), nil
}

// Phone reduces a phone number to digits in international form.
func (n Normalizer) Phone(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = n.DefaultCountryCode + d[1:]
	}
	return d
}

// SplitList splits a recipient list on commas, semicolons and newlines.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
}

// NormalizeAll normalises each recipient and drops duplicates (after normalisation),
// keeping first-seen order. It fails on the first invalid entry.
func (n Normalizer) NormalizeAll(raws []string) ([]JID, error) {
	var out []JID
	seen := map[JID]bool{}
	for _, raw := range raws {
		for _, part := range SplitList(raw) {
			if strings.TrimSpace(part) == "" {
				continue
			}
			j, err := n.Normalize(part)
			if err != nil {
				return nil, err
			}
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	if len(out) == 0 {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "to is required")
	}
	return out, nil
}

// CheckSendable refuses addresses this gateway cannot send to: only people (phone
// or LID) and groups take messages. Status updates (status@broadcast), broadcast
// lists and newsletters (channels) are not supported, and are known to be so
// before anything is queued.
func (j JID) CheckSendable() error {
	switch j.Kind() {
	case KindUser, KindLID, KindGroup:
		return nil
	case KindBroadcast:
		if j.User == "status" {
			return fault.Invalid(fault.ReasonRecipientInvalid, "%s: posting status updates is not supported", j)
		}
		return fault.Invalid(fault.ReasonRecipientInvalid, "%s: broadcast lists are not supported", j)
	case KindNewsletter:
		return fault.Invalid(fault.ReasonRecipientInvalid, "%s: sending to newsletters (channels) is not supported", j)
	}
	return fault.Invalid(fault.ReasonRecipientInvalid, "%s is not a person or a group", j)
}
