package query

import (
	"context"
	"slices"
	"strings"

	"github.com/warest-go/warest/application/access"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

// Contacts reads the people a session's account knows or asks about: its contacts,
// numbers looked up on WhatsApp, business cards, after checking the caller owns the
// session.
type Contacts struct {
	store     ports.Store
	profiles  ports.Profiles
	contacts  ports.Contacts
	groups    ports.Groups
	addresses chat.Normalizer
}

// NewContacts builds the contact reads; numbers with a leading 0 get countryCode.
func NewContacts(store ports.Store, profiles ports.Profiles, contacts ports.Contacts, groups ports.Groups, countryCode string) *Contacts {
	return &Contacts{store: store, profiles: profiles, contacts: contacts, groups: groups,
		addresses: chat.Normalizer{DefaultCountryCode: countryCode}}
}

// MaxLookups bounds the numbers checked by one request.
const MaxLookups = 50

// Person is one looked-up number or contact; Profile and Picture are filled by a
// deep lookup, as far as the person's privacy allows.
type Person struct {
	Query   string // the number as asked ("" for contacts)
	Exists  bool
	Party   chat.Party
	Profile *ports.Profile
	Picture *PictureView
}

// ContactsQuery selects a page of the account's contacts.
type ContactsQuery struct {
	FromGroups bool       // members of the account's groups instead of its chats
	GroupIDs   []chat.JID // with FromGroups: only these groups
	Deep       bool
	Limit      int
	Offset     int
}

// Contacts lists a page of the people the account chats with (or shares groups
// with), by phone, and the account's number.
func (q *Contacts) Contacts(ctx context.Context, p account.Principal, sessionID string, in ContactsQuery) (string, []Person, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return "", nil, err
	}
	var parties []chat.Party
	if in.FromGroups {
		parties, err = q.groupMembers(ctx, sess, in.GroupIDs)
	} else {
		parties, err = q.contacts.Contacts(ctx, sess.ID())
	}
	if err != nil {
		return "", nil, err
	}
	parties = parties[min(in.Offset, len(parties)):]
	parties = parties[:min(in.Limit, len(parties))]
	out := make([]Person, len(parties))
	for i, party := range parties {
		out[i] = Person{Exists: true, Party: party}
		if in.Deep {
			if err := q.enrich(ctx, sess.ID(), &out[i]); err != nil {
				return "", nil, err
			}
		}
	}
	return ownPhone(sess), out, nil
}

// groupMembers collects the other members of the account's groups (or of the
// given ones), each once, in phone order.
func (q *Contacts) groupMembers(ctx context.Context, sess *session.Session, only []chat.JID) ([]chat.Party, error) {
	if q.groups == nil {
		return nil, fault.FailedPrecondition(fault.ReasonInvalidState, "this transport cannot list groups")
	}
	groups, err := q.groups.JoinedGroups(ctx, sess.ID())
	if err != nil {
		return nil, err
	}
	me, seen := ownPhone(sess), map[string]bool{}
	var out []chat.Party
	for _, g := range groups {
		if len(only) > 0 && !slices.Contains(only, g.JID) {
			continue
		}
		for _, m := range g.Participants {
			if u := m.Party.JID.User; u != me && !seen[u] {
				seen[u] = true
				out = append(out, m.Party)
			}
		}
	}
	slices.SortFunc(out, func(a, b chat.Party) int { return strings.Compare(a.JID.User, b.JID.User) })
	return out, nil
}

// OnWhatsApp checks numbers (1 to MaxLookups), in the order given; deep adds what
// each existing person's profile shows.
func (q *Contacts) OnWhatsApp(ctx context.Context, p account.Principal, sessionID string, numbers []string, deep bool) ([]Person, error) {
	sess, phones, err := q.lookup(ctx, p, sessionID, numbers)
	if err != nil {
		return nil, err
	}
	found, err := q.contacts.IsOnWhatsApp(ctx, sess.ID(), phones)
	if err != nil {
		return nil, err
	}
	out := make([]Person, len(found))
	for i, f := range found {
		out[i] = Person{Query: numbers[i], Exists: f.Exists, Party: f.Party}
		if !f.Exists {
			out[i].Party = chat.Party{JID: chat.UserJID(phones[i])}
		} else if deep {
			if err := q.enrich(ctx, sess.ID(), &out[i]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// BusinessProfiles reads the business card of each number; a number that is not a
// business account has a nil Profile.Business. A single number that is not one is
// not found.
func (q *Contacts) BusinessProfiles(ctx context.Context, p account.Principal, sessionID string, numbers []string) ([]Person, error) {
	sess, phones, err := q.lookup(ctx, p, sessionID, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]Person, len(phones))
	for i, phone := range phones {
		prof, err := q.profiles.Profile(ctx, sess.ID(), chat.UserJID(phone))
		if fault.Is(err, fault.KindNotFound) && len(phones) > 1 {
			out[i] = Person{Query: numbers[i], Party: chat.Party{JID: chat.UserJID(phone)}}
			continue
		}
		if err != nil {
			return nil, err
		}
		out[i] = Person{Query: numbers[i], Exists: true, Party: prof.Party, Profile: &prof}
	}
	if len(out) == 1 && out[0].Profile.Business == nil {
		return nil, fault.NotFound(fault.ReasonBusinessNotFound, "%s is not a business account", phones[0])
	}
	return out, nil
}

// Identify completes a person known by phone number or LID with the other.
func (q *Contacts) Identify(ctx context.Context, p account.Principal, sessionID string, who chat.JID) (chat.Party, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return chat.Party{}, err
	}
	if k := who.Kind(); k != chat.KindUser && k != chat.KindLID {
		return chat.Party{}, fault.Invalid(fault.ReasonInvalidParameter, "%s is neither a phone number nor a LID", who)
	}
	return q.contacts.Identify(ctx, sess.ID(), who)
}

// lookup checks the session and turns numbers into phone digits.
func (q *Contacts) lookup(ctx context.Context, p account.Principal, sessionID string, numbers []string) (*session.Session, []string, error) {
	sess, err := access.Session(ctx, q.store, p, sessionID)
	if err != nil {
		return nil, nil, err
	}
	if len(numbers) == 0 {
		return nil, nil, fault.Invalid(fault.ReasonMissingParameter, "checkNumbers is required")
	}
	if len(numbers) > MaxLookups {
		return nil, nil, fault.Invalid(fault.ReasonInvalidParameter, "at most %d numbers per request", MaxLookups)
	}
	phones := make([]string, len(numbers))
	for i, n := range numbers {
		j, err := q.addresses.Normalize(n)
		if err != nil {
			return nil, nil, err
		}
		if j.Kind() != chat.KindUser {
			return nil, nil, fault.Invalid(fault.ReasonInvalidParameter, "%q is not a phone number", n)
		}
		phones[i] = j.User
	}
	return sess, phones, nil
}

// enrich adds the profile and picture a person shows the account.
func (q *Contacts) enrich(ctx context.Context, sessionID string, person *Person) error {
	prof, err := q.profiles.Profile(ctx, sessionID, person.Party.JID)
	if err != nil {
		return err
	}
	person.Profile = &prof
	person.Picture, err = picture(ctx, q.profiles, sessionID, person.Party.JID)
	return err
}
