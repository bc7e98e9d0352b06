package chat_test

import (
	"testing"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

func TestParseGroup(t *testing.T) {
	for in, want := range map[string]string{
		"120363041234567890":        "120363041234567890@g.us",
		" 120363041234567890@g.us ": "120363041234567890@g.us",
		"6281234567890-1609459200":  "6281234567890-1609459200@g.us",
	} {
		if got, err := chat.ParseGroup(in); err != nil || got.String() != want {
			t.Errorf("ParseGroup(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for in, reason := range map[string]fault.Reason{"": fault.ReasonMissingParameter, "abc": fault.ReasonInvalidParameter,
		"6281234567890@s.whatsapp.net": fault.ReasonInvalidParameter, "12@lid": fault.ReasonInvalidParameter} {
		if _, err := chat.ParseGroup(in); err == nil || err.(*fault.Error).Reason != reason {
			t.Errorf("ParseGroup(%q) = %v; want %s", in, err, reason)
		}
	}
}

func TestInviteCode(t *testing.T) {
	for in, want := range map[string]string{"https://chat.whatsapp.com/AbCdEf123456": "AbCdEf123456",
		"AbCdEf123456": "AbCdEf123456", " http://chat.whatsapp.com/AbCdEf123456/ ": "AbCdEf123456"} {
		if got, err := chat.InviteCode(in); err != nil || got != want {
			t.Errorf("InviteCode(%q) = %q, %v", in, got, err)
		}
	}
	for in, reason := range map[string]fault.Reason{"": fault.ReasonMissingParameter, "abc": fault.ReasonInviteInvalid,
		"https://evil.example/AbCdEf123456": fault.ReasonInviteInvalid, "AbCd Ef123456": fault.ReasonInviteInvalid} {
		if _, err := chat.InviteCode(in); err == nil || err.(*fault.Error).Reason != reason {
			t.Errorf("InviteCode(%q) = %v; want %s", in, err, reason)
		}
	}
}
