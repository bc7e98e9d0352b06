// Package fault gives domain errors a kind and a stable reason, so one table at the
// HTTP edge can map them to a status and a WAREST app code.
package fault

import (
	"errors"
	"fmt"
)

// Kind is the broad class of a failure.
type Kind int

const (
	KindUnknown Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnauthorized
	KindForbidden
	KindFailedPrecondition
	KindUnavailable
	KindRateLimited
	KindTooLarge
)

// Reason names a specific failure; the HTTP table maps it to a WAREST app code.
// Empty means "use the kind's default".
type Reason string

const (
	ReasonSessionRequired  Reason = "session_required"
	ReasonSessionNotFound  Reason = "session_not_found"
	ReasonSessionExists    Reason = "session_exists"
	ReasonSessionNotOpen   Reason = "session_not_open"
	ReasonMissingParameter Reason = "missing_parameter"
	ReasonInvalidParameter Reason = "invalid_parameter"
	ReasonInvalidState     Reason = "invalid_state"
	ReasonMalformedJSON    Reason = "malformed_json"
	ReasonAPIKeyInvalid    Reason = "api_key_invalid"
	ReasonUserNotFound     Reason = "user_not_found"
	ReasonMessageNotFound  Reason = "message_not_found"
	ReasonSendFailed       Reason = "send_failed"
	ReasonTargetForbidden  Reason = "target_forbidden" // a webhook URL outside the network policy
	// Why a message could not be sent; they are stored with a failed message.
	ReasonNotPaired        Reason = "not_paired"        // no WhatsApp account is linked to the session
	ReasonRecipientInvalid Reason = "recipient_invalid" // not an address messages can be sent to
	ReasonNotOnWhatsApp    Reason = "not_on_whatsapp"   // nobody on WhatsApp has that number or LID
	ReasonGroupNotFound    Reason = "group_not_found"
	ReasonSendRejected     Reason = "send_rejected" // WhatsApp refused it for good, for another reason
	ReasonExpired          Reason = "expired"       // not sent before its expiry
	ReasonLimitReached     Reason = "limit_reached" // a per-user cap (sessions, streams)
	// Bodies and contents refused before sending, and message actions WhatsApp refused.
	ReasonMalformedBody   Reason = "malformed_body" // a form or multipart body that does not parse
	ReasonLoginRequired   Reason = "login_required" // a browser page that needs a login first
	ReasonButtonsInvalid  Reason = "buttons_invalid"
	ReasonListInvalid     Reason = "list_invalid"
	ReasonPollInvalid     Reason = "poll_invalid"
	ReasonLocationInvalid Reason = "location_invalid"
	ReasonReactionFailed  Reason = "reaction_failed"  // WhatsApp refused a (un)reaction
	ReasonRevokeFailed    Reason = "revoke_failed"    // WhatsApp refused a revoke
	ReasonEditNotAllowed  Reason = "edit_not_allowed" // WhatsApp refused an edit
	// What WhatsApp refuses in groups.
	ReasonNotGroupAdmin   Reason = "not_group_admin"   // the account is a member but not an admin
	ReasonNotGroupMember  Reason = "not_group_member"  // the account is not (or no longer) in the group
	ReasonInviteInvalid   Reason = "invite_invalid"    // an invite link that is malformed, revoked or expired
	ReasonGroupChangeFail Reason = "group_change_fail" // WhatsApp refused a group change for another reason
)

// Error is a domain error with a kind and an optional reason.
type Error struct {
	Kind   Kind
	Reason Reason
	Msg    string
	Err    error // optional cause, never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an error of the given kind.
func New(k Kind, r Reason, format string, args ...any) *Error {
	return &Error{Kind: k, Reason: r, Msg: fmt.Sprintf(format, args...)}
}

// Wrap attaches a cause to a new error of the given kind.
func Wrap(err error, k Kind, r Reason, msg string) *Error {
	return &Error{Kind: k, Reason: r, Msg: msg, Err: err}
}

func Invalid(r Reason, format string, args ...any) *Error {
	return New(KindInvalid, r, format, args...)
}

func NotFound(r Reason, format string, args ...any) *Error {
	return New(KindNotFound, r, format, args...)
}

func Conflict(r Reason, format string, args ...any) *Error {
	return New(KindConflict, r, format, args...)
}

func Forbidden(format string, args ...any) *Error {
	return New(KindForbidden, "", format, args...)
}

func Unauthorized(r Reason, format string, args ...any) *Error {
	return New(KindUnauthorized, r, format, args...)
}

func FailedPrecondition(r Reason, format string, args ...any) *Error {
	return New(KindFailedPrecondition, r, format, args...)
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

// KindOf returns the kind of err, KindUnknown for foreign errors.
func KindOf(err error) Kind {
	if fe, ok := As(err); ok {
		return fe.Kind
	}
	return KindUnknown
}

// Is reports whether err is a domain error of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }
