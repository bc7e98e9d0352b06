package store

import "github.com/warest-go/warest/ports"

// secrets seals the webhook secrets of sessions and subscriptions on their way into
// the database and opens them on the way out, the one place that does. An empty
// secret is stored empty: there is nothing to protect, and "no secret" stays visible
// without the key.
type secrets struct {
	sealer ports.SecretSealer
	d      *Dialect
}

func (s secrets) seal(plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	sealed, err := s.sealer.Seal(plain)
	if err != nil {
		return "", s.d.Wrap(err, "seal webhook secret")
	}
	return sealed, nil
}

func (s secrets) open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	plain, err := s.sealer.Open(sealed)
	if err != nil {
		return "", s.d.Wrap(err, "open webhook secret")
	}
	return plain, nil
}
