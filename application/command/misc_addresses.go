package command

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// MiscAddresses reads phone numbers, JIDs and LIDs and, with a session, asks
// WhatsApp about them.
type MiscAddresses struct {
	store    ports.Store
	contacts ports.Contacts     // nil: existence is not checked
	phones   ports.PhoneNumbers // nil: digits only, no country
}

// Address is what the misc number and address checks found.
type Address struct {
	Valid   bool
	Exists  bool // on WhatsApp, as the session's account sees it
	Checked bool // Exists was asked of WhatsApp (a session was given)
	Kind    chat.Kind
	Digits  string // a phone number's, E.164 without "+"
	Party   chat.Party
	Country string // ISO code of the phone number, "" when unknown
}

// session returns the caller's own session, or nil when none was named.
func (m *MiscAddresses) session(ctx context.Context, p account.Principal, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	s, err := ownedSession(ctx, m.store, p, id)
	if err != nil {
		return "", err
	}
	return s.ID(), nil
}

// ValidatePhone reads a phone number (country: ISO or dial code for national
// forms) and, with a session, asks WhatsApp whether it is there.
func (m *MiscAddresses) ValidatePhone(ctx context.Context, p account.Principal, sessionID, phone, country string) (Address, error) {
	sid, err := m.session(ctx, p, sessionID)
	if err != nil {
		return Address{}, err
	}
	if strings.TrimSpace(phone) == "" {
		return Address{}, fault.Invalid(fault.ReasonMissingParameter, "phone is required")
	}
	if m.phones == nil {
		return Address{}, fault.New(fault.KindUnavailable, "", "phone number checks are not configured")
	}
	n, err := m.phones.Parse(phone, country)
	if err != nil {
		return Address{}, err
	}
	a := Address{Valid: true, Kind: chat.KindUser, Digits: n.Digits, Country: n.Region, Party: chat.Party{JID: chat.UserJID(n.Digits)}}
	return m.exists(ctx, sid, a)
}

// exists asks WhatsApp about a phone number when there is a session to ask with.
func (m *MiscAddresses) exists(ctx context.Context, sid string, a Address) (Address, error) {
	if sid == "" || m.contacts == nil {
		return a, nil
	}
	found, err := m.contacts.IsOnWhatsApp(ctx, sid, []string{a.Digits})
	if err != nil {
		return Address{}, err
	}
	a.Checked = true
	if len(found) == 1 && found[0].Exists {
		a.Exists = true
		a.Party.LID = found[0].Party.LID
		if !found[0].Party.JID.IsZero() {
			a.Party.JID = found[0].Party.JID
		}
	}
	return a, nil
}

// ValidateJID checks an address's form and kind; a phone JID is also asked of
// WhatsApp when a session is given.
func (m *MiscAddresses) ValidateJID(ctx context.Context, p account.Principal, sessionID, raw string) (Address, error) {
	sid, err := m.session(ctx, p, sessionID)
	if err != nil {
		return Address{}, err
	}
	if strings.TrimSpace(raw) == "" {
		return Address{}, fault.Invalid(fault.ReasonMissingParameter, "jid is required")
	}
	j, err := chat.ParseJID(raw)
	if err != nil {
		return Address{Kind: chat.KindUnknown}, nil
	}
	a := Address{Valid: true, Exists: true, Kind: j.Kind(), Party: chat.Party{JID: j}}
	if j.Kind() == chat.KindLID {
		a.Party = chat.Party{LID: j}
	}
	if j.Kind() != chat.KindUser {
		return a, nil
	}
	a.Exists, a.Digits, a.Country = false, j.User, m.region(j.User)
	return m.exists(ctx, sid, a)
}

// Resolve reads a phone JID, a LID ("…@lid" or "lid:…") or bare digits and, with
// a session, completes the other half from what the account knows.
func (m *MiscAddresses) Resolve(ctx context.Context, p account.Principal, sessionID, input string) (Address, error) {
	sid, err := m.session(ctx, p, sessionID)
	if err != nil {
		return Address{}, err
	}
	input = strings.TrimSpace(input)
	if input == "" {
		return Address{}, fault.Invalid(fault.ReasonMissingParameter, "input is required")
	}
	var j chat.JID
	switch {
	case strings.HasPrefix(strings.ToLower(input), "lid:"):
		j, err = chat.ParseJID(input[4:] + "@" + chat.ServerLID)
	case strings.Contains(input, "@"):
		j, err = chat.ParseJID(input)
	default:
		j, err = chat.Normalizer{}.Normalize(input)
	}
	if err != nil || (j.Kind() != chat.KindUser && j.Kind() != chat.KindLID) {
		return Address{Kind: j.Kind()}, nil
	}
	a := Address{Valid: true, Kind: j.Kind()}
	if j.Kind() == chat.KindLID {
		a.Party.LID = j
	} else {
		a.Party.JID = j
	}
	if sid != "" && m.contacts != nil {
		party, err := m.contacts.Identify(ctx, sid, j)
		if err != nil && !fault.Is(err, fault.KindNotFound) {
			return Address{}, err
		}
		a.Checked = true
		if !party.JID.IsZero() {
			a.Party.JID = party.JID
		}
		if !party.LID.IsZero() {
			a.Party.LID = party.LID
		}
	}
	if !a.Party.JID.IsZero() {
		a.Country = m.region(a.Party.JID.User)
	}
	return a, nil
}

func (m *MiscAddresses) region(digits string) string {
	if m.phones == nil {
		return ""
	}
	return m.phones.Region(digits)
}
