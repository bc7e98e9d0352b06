package message

import (
	"context"
	"errors"

	"github.com/warest-go/warest/domain/fault"
)

// Failure classes a failed send attempt; the send queue acts on the class.
type Failure int

const (
	// FailureUnknown is an error nobody classified: it is retried a few times, then
	// the message fails.
	FailureUnknown Failure = iota
	// FailureTransient is the session or the network unable to take the message now
	// (disconnected, timed out, rate limited): it stays queued until it expires.
	FailureTransient
	// FailurePermanent can never succeed as it is (not paired, not on WhatsApp, not
	// a person, no such group, refused content): it fails at once.
	FailurePermanent
)

// ClassifySend classes the error of a send attempt by its fault kind. A session
// that is merely not running (failed precondition, session_not_open) is transient:
// it is being restarted; one with no linked account says not_paired.
func ClassifySend(err error) Failure {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return FailureTransient
	}
	fe, ok := fault.As(err)
	if !ok {
		return FailureUnknown
	}
	switch fe.Kind {
	case fault.KindUnavailable, fault.KindRateLimited:
		return FailureTransient
	case fault.KindFailedPrecondition:
		if fe.Reason == fault.ReasonSessionNotOpen {
			return FailureTransient
		}
		return FailurePermanent
	case fault.KindInvalid, fault.KindNotFound, fault.KindForbidden, fault.KindConflict, fault.KindTooLarge, fault.KindUnauthorized:
		return FailurePermanent
	}
	return FailureUnknown
}

// FailCodeOf is the reason code stored with a message that failed permanently
// because of err: the fault's own reason, or send_rejected when it has none.
func FailCodeOf(err error) fault.Reason {
	if fe, ok := fault.As(err); ok && fe.Reason != "" {
		return fe.Reason
	}
	return fault.ReasonSendRejected
}
