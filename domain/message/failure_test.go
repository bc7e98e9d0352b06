package message_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

func TestClassifySend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want message.Failure
	}{
		{"disconnected", fault.New(fault.KindUnavailable, fault.ReasonSessionNotOpen, "reconnecting"), message.FailureTransient},
		{"timed out", fmt.Errorf("send: %w", context.DeadlineExceeded), message.FailureTransient},
		{"cancelled", context.Canceled, message.FailureTransient},
		{"rate limited", fault.New(fault.KindRateLimited, "", "slow down"), message.FailureTransient},
		{"runtime not running", fault.FailedPrecondition(fault.ReasonSessionNotOpen, "not running"), message.FailureTransient},
		{"not paired", fault.FailedPrecondition(fault.ReasonNotPaired, "not paired"), message.FailurePermanent},
		{"not on WhatsApp", fault.NotFound(fault.ReasonNotOnWhatsApp, "x"), message.FailurePermanent},
		{"not a person", fault.Invalid(fault.ReasonRecipientInvalid, "x"), message.FailurePermanent},
		{"no such group", fault.NotFound(fault.ReasonGroupNotFound, "x"), message.FailurePermanent},
		{"not a participant", fault.Forbidden("x"), message.FailurePermanent},
		{"edit window over", fault.FailedPrecondition(fault.ReasonInvalidState, "x"), message.FailurePermanent},
		{"wrapped permanent", fmt.Errorf("send: %w", fault.NotFound(fault.ReasonGroupNotFound, "x")), message.FailurePermanent},
		{"foreign error", errors.New("connection reset"), message.FailureUnknown},
		{"unknown kind", fault.Wrap(errors.New("x"), fault.KindUnknown, "", "x"), message.FailureUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := message.ClassifySend(tt.err); got != tt.want {
				t.Fatalf("ClassifySend(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestFailCodeOf(t *testing.T) {
	t.Parallel()
	if got := message.FailCodeOf(fmt.Errorf("x: %w", fault.NotFound(fault.ReasonGroupNotFound, "x"))); got != fault.ReasonGroupNotFound {
		t.Fatalf("code %q", got)
	}
	if got := message.FailCodeOf(fault.Forbidden("only admins")); got != fault.ReasonSendRejected {
		t.Fatalf("code of a fault without reason %q", got)
	}
}

func TestFail_RecordsCodeAndReasonOnlyWhileQueued(t *testing.T) {
	t.Parallel()
	m, err := message.NewOutbound("id", "s1", to, message.TextContent("hi"), t0)
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	if !m.Fail(fault.ReasonNotOnWhatsApp, "not on WhatsApp", at) {
		t.Fatal("a queued message did not fail")
	}
	if m.Status != message.StatusFailed || m.FailCode != fault.ReasonNotOnWhatsApp || m.FailReason != "not on WhatsApp" || m.UpdatedAt != at {
		t.Fatalf("after Fail: %+v", m)
	}
	sent, _ := message.NewOutbound("id2", "s1", to, message.TextContent("hi"), t0)
	sent.Advance(message.StatusSent, "", t0)
	if sent.Fail(fault.ReasonExpired, "expired", at) || sent.Status != message.StatusSent || sent.FailCode != "" {
		t.Fatalf("a sent message failed: %+v", sent)
	}
}

func TestExpired(t *testing.T) {
	t.Parallel()
	m, _ := message.NewOutbound("id", "s1", to, message.TextContent("hi"), t0)
	if m.Expired(t0.Add(1000 * time.Hour)) {
		t.Fatal("a message without expiry expired")
	}
	m.ExpiresAt = t0.Add(time.Hour)
	if m.Expired(t0.Add(time.Hour-time.Millisecond)) || !m.Expired(t0.Add(time.Hour)) {
		t.Fatal("expiry is not at ExpiresAt")
	}
}
