package contract

import (
	"errors"
	"slices"
	"strings"
)

// Sealer is a recognisable ports.SecretSealer for tests: Seal reverses the secret
// behind a "sealed:" prefix, so adapter tests can assert that a stored column holds
// Seal(secret) and not the secret itself.
type Sealer struct{}

const sealedPrefix = "sealed:"

func (Sealer) Seal(plain string) (string, error) { return sealedPrefix + reverse(plain), nil }

func (Sealer) Open(sealed string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("contract: value was not sealed by contract.Sealer")
	}
	return reverse(rest), nil
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
