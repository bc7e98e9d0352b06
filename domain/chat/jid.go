// Package chat holds WhatsApp addressing: JIDs, their kinds, and WAREST's recipient
// normalisation rules.
package chat

import (
	"strings"

	"github.com/warest-go/warest/domain/fault"
)

// Server parts of a JID.
const (
	ServerUser       = "s.whatsapp.net"
	ServerLegacyUser = "c.us"
	ServerLID        = "lid"
	ServerGroup      = "g.us"
	ServerNewsletter = "newsletter"
	ServerBroadcast  = "broadcast"
)

// Kind classifies a JID.
type Kind int

const (
	KindUnknown Kind = iota
	KindUser
	KindLID
	KindGroup
	KindNewsletter
	KindBroadcast
)

func (k Kind) String() string {
	switch k {
	case KindUser:
		return "user"
	case KindLID:
		return "lid"
	case KindGroup:
		return "group"
	case KindNewsletter:
		return "newsletter"
	case KindBroadcast:
		return "broadcast"
	}
	return "unknown"
}

// JID is a WhatsApp address "user@server" without device part.
type JID struct {
	User   string
	Server string
}

// UserJID returns the phone JID for digits.
func UserJID(digits string) JID { return JID{User: digits, Server: ServerUser} }

func (j JID) String() string {
	if j.User == "" {
		return j.Server
	}
	return j.User + "@" + j.Server
}

// IsZero reports whether j is empty.
func (j JID) IsZero() bool { return j.User == "" && j.Server == "" }

// Kind returns what j addresses.
func (j JID) Kind() Kind {
	switch j.Server {
	case ServerUser:
		return KindUser
	case ServerLID:
		return KindLID
	case ServerGroup:
		return KindGroup
	case ServerNewsletter:
		return KindNewsletter
	case ServerBroadcast:
		return KindBroadcast
	}
	return KindUnknown
}

// ParseJID parses "user[:device]@server", dropping the device and mapping @c.us to
// @s.whatsapp.net.
func ParseJID(s string) (JID, error) {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return JID{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid JID %q", s)
	}
	user, server := s[:at], strings.ToLower(s[at+1:])
	if i := strings.IndexByte(user, ':'); i >= 0 {
		user = user[:i]
	}
	if server == ServerLegacyUser {
		server = ServerUser
	}
	j := JID{User: user, Server: server}
	if user == "" || j.Kind() == KindUnknown {
		return JID{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid JID %q", s)
	}
	if !validUser(j.Kind(), user) {
		return JID{}, fault.Invalid(fault.ReasonInvalidParameter, "invalid JID %q", s)
	}
	return j, nil
}

// validUser checks the user part for the JID's kind: digits for users, LIDs and
// newsletters; digits or the legacy "creator-timestamp" for groups; "status" or digits
// for broadcast lists.
func validUser(k Kind, user string) bool {
	switch k {
	case KindGroup:
		creator, ts, legacy := strings.Cut(user, "-")
		return allDigits(creator) && (!legacy || allDigits(ts))
	case KindBroadcast:
		return user == "status" || allDigits(user)
	}
	return allDigits(user)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Party is a person as WhatsApp knows them: the phone JID and the LID, either of
// which may be unknown, and the push name they chose.
type Party struct {
	JID      JID    `json:"jid"`
	LID      JID    `json:"lid"`
	PushName string `json:"pushName,omitempty"`
}

// IsZero reports whether nothing is known.
func (p Party) IsZero() bool { return p.JID.IsZero() && p.LID.IsZero() }

// Best returns the phone JID when known, else the LID.
func (p Party) Best() JID {
	if !p.JID.IsZero() {
		return p.JID
	}
	return p.LID
}

// MarshalText writes "user@server" ("" for the zero JID), so JIDs are strings in JSON.
func (j JID) MarshalText() ([]byte, error) {
	if j.IsZero() {
		return []byte{}, nil
	}
	return []byte(j.String()), nil
}

// UnmarshalText reads what MarshalText wrote.
func (j *JID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*j = JID{}
		return nil
	}
	parsed, err := ParseJID(string(b))
	if err != nil {
		return err
	}
	*j = parsed
	return nil
}
