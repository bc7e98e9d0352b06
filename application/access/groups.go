package access

import (
	"context"
	"strings"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// GroupRef is what a group call acts through: one of the caller's open sessions
// and, for calls about one group, that group.
type GroupRef struct {
	SessionID string
	Phone     string   // the session's own number (digits)
	LID       string   // the account's LID user part, when known
	Group     chat.JID // zero for calls not about one group
}

// IsMe reports whether p is the session's own account, by number or LID.
func (r GroupRef) IsMe(p chat.Party) bool {
	return r.Phone != "" && p.JID.Kind() == chat.KindUser && p.JID.User == r.Phone ||
		r.LID != "" && p.LID.User == r.LID
}

// OpenSession checks the caller may use the session and that it is open: groups
// are WhatsApp calls, made live (409 NOT_LOGGED_IN otherwise).
func OpenSession(ctx context.Context, r ports.Repositories, p account.Principal, sessionID string) (GroupRef, error) {
	sess, err := Session(ctx, r, p, sessionID)
	if err != nil {
		return GroupRef{}, err
	}
	if err := sess.CanSend(); err != nil {
		return GroupRef{}, err
	}
	ref := GroupRef{SessionID: sess.ID()}
	if me := sess.Me(); me != nil {
		ref.Phone, _, _ = strings.Cut(me.JID, "@")
		ref.LID, _, _ = strings.Cut(me.LID, "@")
	}
	return ref, nil
}

// Group is OpenSession for a call about one group, given as a raw id or JID. The
// session is checked first, so a stranger learns nothing from the group id.
func Group(ctx context.Context, r ports.Repositories, p account.Principal, sessionID, group string) (GroupRef, error) {
	ref, err := OpenSession(ctx, r, p, sessionID)
	if err != nil {
		return GroupRef{}, err
	}
	ref.Group, err = chat.ParseGroup(group)
	return ref, err
}

// ErrNoGroups answers group calls on a transport that cannot make them.
var ErrNoGroups = fault.New(fault.KindUnavailable, "", "this transport does not manage groups")

// Refused gives WhatsApp's refusals that carry no domain kind one: a failed group
// call (502 GROUP_UPDATE_FAILED), never a 500.
func Refused(err error, msg string) error {
	if err == nil || fault.KindOf(err) != fault.KindUnknown {
		return err
	}
	return fault.Wrap(err, fault.KindUnavailable, fault.ReasonGroupChangeFail, msg)
}
