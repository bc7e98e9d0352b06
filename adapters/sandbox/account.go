package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

// account is a paired WhatsApp identity.
type account struct {
	phone string // digits
	name  string
}

func (a account) jid() chat.JID { return chat.UserJID(a.phone) }
func (a account) lid() chat.JID { return lidFor(a.phone) }

func (a account) identity() session.Identity {
	return session.Identity{JID: a.jid().String(), LID: a.lid().String(), Name: a.name}
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

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// newMessageID looks like a WhatsApp Web message id: "3EB0" and upper-case hex.
func newMessageID() string { return "3EB0" + strings.ToUpper(randomHex(8)) }

// pairCodeAlphabet is WhatsApp's: no 0, O, I or U to misread.
const pairCodeAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"

// newPairCode returns 8 characters; callers show it as "ABCD-EFGH".
func newPairCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = pairCodeAlphabet[int(b[i])%len(pairCodeAlphabet)]
	}
	return string(b)
}

// normalizePairCode accepts what a user may type: any case, with or without dash.
func normalizePairCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
}
