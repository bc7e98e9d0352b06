package sandbox

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// person is anyone on the network: a linked account or a virtual contact. Every
// valid phone number is a person on WhatsApp unless added as unregistered.
type person struct {
	phone        string // digits
	lid          chat.JID
	name         string
	about        string
	picture      string // picture id, "" when none
	privacy      ports.Privacy
	business     *ports.BusinessProfile
	unregistered bool
	added        bool          // created through AddContact, so listed as a virtual contact
	session      *sessionState // the linked session; nil for a virtual person
	chats        map[string]struct{}
	watchers     map[*person]struct{} // accounts subscribed to p's presence
}

func (p *person) jid() chat.JID { return chat.UserJID(p.phone) }

func (p *person) party() chat.Party { return chat.Party{JID: p.jid(), LID: p.lid, PushName: p.name} }

func (p *person) identity() session.Identity {
	return session.Identity{JID: p.jid().String(), LID: p.lid.String(), Name: p.name}
}

// chatWith records a direct chat between p and q: WhatsApp's "contacts" privacy
// audience is, in the sandbox, the people one has chatted with.
func (p *person) chatWith(q *person) {
	if p.chats == nil {
		p.chats = map[string]struct{}{}
	}
	p.chats[q.phone] = struct{}{}
}

func (p *person) knows(q *person) bool {
	_, ok := p.chats[q.phone]
	return ok || p == q
}

// shows reports whether a setting with audience v lets viewer see owner's data.
func shows(v ports.PrivacyValue, owner, viewer *person) bool {
	switch v {
	case ports.PrivacyContacts:
		return owner.knows(viewer)
	case ports.PrivacyNone:
		return owner == viewer
	}
	return true
}

var defaultPrivacy = ports.Privacy{LastSeen: ports.PrivacyAll, Online: ports.PrivacyAll, ProfilePhoto: ports.PrivacyAll,
	About: ports.PrivacyAll, GroupAdd: ports.PrivacyAll, ReadReceipts: ports.PrivacyAll}

// person returns the person with that phone, creating them on first mention.
// Caller holds n.mu.
func (n *Network) person(phone string) *person {
	p, ok := n.people[phone]
	if !ok {
		p = &person{phone: phone, lid: lidFor(phone), privacy: defaultPrivacy}
		n.people[phone] = p
		n.byLID[p.lid.User] = p
	}
	return p
}

// lookup finds the person a user JID or LID names. Caller holds n.mu.
func (n *Network) lookup(j chat.JID) (*person, error) {
	switch j.Kind() {
	case chat.KindUser:
		digits, err := parsePhone(j.User)
		if err != nil {
			return nil, err
		}
		return n.person(digits), nil
	case chat.KindLID:
		if p, ok := n.byLID[j.User]; ok {
			return p, nil
		}
		return nil, fault.NotFound(fault.ReasonNotOnWhatsApp, "nobody on WhatsApp has the LID %s", j)
	}
	return nil, fault.Invalid(fault.ReasonRecipientInvalid, "%s is not a person", j)
}

// reachable is lookup for someone to message: they must be on WhatsApp.
func (n *Network) reachable(j chat.JID) (*person, error) {
	p, err := n.lookup(j)
	if err == nil && p.unregistered {
		err = fault.NotFound(fault.ReasonNotOnWhatsApp, "%s is not on WhatsApp", j)
	}
	return p, err
}

// lidFor derives a stable 15-digit LID from a phone, so the same virtual person
// has the same LID in every session and every test run.
func lidFor(phone string) chat.JID {
	h := fnv.New64a()
	h.Write([]byte("sandbox-lid:" + phone))
	return chat.JID{User: fmt.Sprint(100_000_000_000_000 + h.Sum64()%900_000_000_000_000), Server: chat.ServerLID}
}

// parsePhone reduces a phone to digits and checks the E.164 length.
func parsePhone(raw string) (string, error) {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, raw)
	if len(digits) < 7 || len(digits) > 15 {
		return "", fault.Invalid(fault.ReasonInvalidParameter, "invalid phone number %q", raw)
	}
	return digits, nil
}
