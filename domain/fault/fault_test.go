package fault_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/warest-go/warest/domain/fault"
)

func TestKindOf_IsAndAs_ThroughWrapping(t *testing.T) {
	t.Parallel()
	base := fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", "s1")
	tests := []struct {
		name       string
		err        error
		wantKind   fault.Kind
		wantReason fault.Reason
		wantFault  bool
	}{
		{"nil", nil, fault.KindUnknown, "", false},
		{"foreign", io.EOF, fault.KindUnknown, "", false},
		{"direct", base, fault.KindNotFound, fault.ReasonSessionNotFound, true},
		{"wrapped once", fmt.Errorf("load: %w", base), fault.KindNotFound, fault.ReasonSessionNotFound, true},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", base)), fault.KindNotFound, fault.ReasonSessionNotFound, true},
		{"joined", errors.Join(io.EOF, fault.Conflict(fault.ReasonSessionExists, "exists")), fault.KindConflict, fault.ReasonSessionExists, true},
		{"formatted with %v loses the kind", fmt.Errorf("x: %v", base), fault.KindUnknown, "", false},
		{"outermost fault wins", fault.Wrap(base, fault.KindUnavailable, "", "store down"), fault.KindUnavailable, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fault.KindOf(tt.err); got != tt.wantKind {
				t.Fatalf("KindOf = %v, want %v", got, tt.wantKind)
			}
			fe, ok := fault.As(tt.err)
			if ok != tt.wantFault {
				t.Fatalf("As ok = %v, want %v", ok, tt.wantFault)
			}
			if ok && (fe.Kind != tt.wantKind || fe.Reason != tt.wantReason) {
				t.Fatalf("As = %+v", fe)
			}
			if tt.err != nil && tt.wantKind != fault.KindUnknown && !fault.Is(tt.err, tt.wantKind) {
				t.Fatalf("Is(%v) false", tt.wantKind)
			}
			if fault.Is(tt.err, fault.KindForbidden) {
				t.Fatal("Is matched the wrong kind")
			}
		})
	}
}

func TestIs_NilAndUnknown(t *testing.T) {
	t.Parallel()
	if fault.Is(nil, fault.KindUnknown) {
		t.Fatal("nil is not an error of any kind")
	}
	if !fault.Is(io.EOF, fault.KindUnknown) {
		t.Fatal("a foreign error is of unknown kind")
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        *fault.Error
		wantKind   fault.Kind
		wantReason fault.Reason
		wantMsg    string
	}{
		{"invalid", fault.Invalid(fault.ReasonInvalidParameter, "bad %s", "x"), fault.KindInvalid, fault.ReasonInvalidParameter, "bad x"},
		{"not found", fault.NotFound(fault.ReasonUserNotFound, "no %d", 7), fault.KindNotFound, fault.ReasonUserNotFound, "no 7"},
		{"conflict", fault.Conflict("", "dup"), fault.KindConflict, "", "dup"},
		{"forbidden", fault.Forbidden("not yours: %s", "s1"), fault.KindForbidden, "", "not yours: s1"},
		{"unauthorized", fault.Unauthorized(fault.ReasonAPIKeyInvalid, "key"), fault.KindUnauthorized, fault.ReasonAPIKeyInvalid, "key"},
		{"failed precondition", fault.FailedPrecondition(fault.ReasonSessionNotOpen, "closed"), fault.KindFailedPrecondition, fault.ReasonSessionNotOpen, "closed"},
		{"new", fault.New(fault.KindRateLimited, "", "slow down"), fault.KindRateLimited, "", "slow down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err.Kind != tt.wantKind || tt.err.Reason != tt.wantReason || tt.err.Error() != tt.wantMsg || tt.err.Unwrap() != nil {
				t.Fatalf("got %+v (%q)", tt.err, tt.err.Error())
			}
		})
	}
}

func TestWrap_KeepsCause(t *testing.T) {
	t.Parallel()
	cause := io.ErrUnexpectedEOF
	err := fault.Wrap(cause, fault.KindUnavailable, "", "could not start")
	if err.Error() != "could not start: unexpected EOF" {
		t.Fatalf("Error() = %q", err.Error())
	}
	if !errors.Is(err, cause) || !errors.Is(fmt.Errorf("x: %w", err), cause) {
		t.Fatal("cause not reachable with errors.Is")
	}
}
