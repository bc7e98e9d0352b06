package sandbox

import (
	"encoding/hex"
	"strings"
)

// Every random draw comes from the network's seeded generator (callers hold
// Network.mu), so a seeded network repeats its ids, codes and failures.

func (n *Network) randomHex(bytes int) string {
	b := make([]byte, bytes)
	for i := range b {
		b[i] = byte(n.rng.UintN(256))
	}
	return hex.EncodeToString(b)
}

// newMessageID looks like a WhatsApp Web message id: "3EB0" and upper-case hex.
func (n *Network) newMessageID() string { return "3EB0" + strings.ToUpper(n.randomHex(8)) }

// pairCodeAlphabet is WhatsApp's: no 0, O, I or U to misread.
const pairCodeAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"

// newPairCode returns 8 characters; callers show it as "ABCD-EFGH".
func (n *Network) newPairCode() string {
	b := make([]byte, 8)
	for i := range b {
		b[i] = pairCodeAlphabet[n.rng.IntN(len(pairCodeAlphabet))]
	}
	return string(b)
}

// normalizePairCode accepts what a user may type: any case, with or without dash.
func normalizePairCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
}

// inviteAlphabet is what WhatsApp invite codes are made of.
const inviteAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newInviteCode returns a 22-character code, unique in the network.
func (n *Network) newInviteCode() string {
	for {
		b := make([]byte, 22)
		for i := range b {
			b[i] = inviteAlphabet[n.rng.IntN(len(inviteAlphabet))]
		}
		if _, taken := n.invites[string(b)]; !taken {
			return string(b)
		}
	}
}
