package command

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/oklog/ulid/v2"

	"github.com/warest-go/warest/domain/fault"
)

// MiscIDs are the pure helpers: UUIDs and ULIDs, hashes and HMACs.
type MiscIDs struct{}

// hashes are the digests the hash and HMAC routes offer.
var hashes = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New}

func hashOf(algo string) (func() hash.Hash, error) {
	if algo == "" {
		algo = "sha256"
	}
	h, ok := hashes[strings.ReplaceAll(strings.ToLower(algo), "-", "")]
	if !ok {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "algo must be md5, sha1, sha224, sha256, sha384 or sha512")
	}
	return h, nil
}

func encodeDigest(sum []byte, output string) (string, error) {
	switch output {
	case "", "hex":
		return hex.EncodeToString(sum), nil
	case "base64":
		return base64.StdEncoding.EncodeToString(sum), nil
	}
	return "", fault.Invalid(fault.ReasonInvalidParameter, "output must be hex or base64")
}

// Hash digests input with algo (sha256 by default), as hex or base64.
func (*MiscIDs) Hash(algo, input, output string) (string, error) {
	h, err := hashOf(algo)
	if err != nil {
		return "", err
	}
	d := h()
	d.Write([]byte(input))
	return encodeDigest(d.Sum(nil), output)
}

// HMAC authenticates input with key.
func (*MiscIDs) HMAC(algo, key, input, output string) (string, error) {
	h, err := hashOf(algo)
	if err != nil {
		return "", err
	}
	if key == "" {
		return "", fault.Invalid(fault.ReasonMissingParameter, "key is required")
	}
	mac := hmac.New(h, []byte(key))
	mac.Write([]byte(input))
	return encodeDigest(mac.Sum(nil), output)
}

// UUIDInput asks for identifiers.
type UUIDInput struct {
	Type      string // uuid (default) or ulid
	Version   string // v1, v3, v4 (default), v5 or nil
	Namespace string // v3/v5: dns (default), url, oid, x500 or a UUID
	Name      string // v3/v5
	Format    string // a mask whose x's take the identifier's hex digits in turn
	Count     int    // 1–1000, default 1
}

// MaxIDs bounds one identifier request.
const MaxIDs = 1000

var namespaces = map[string]uuid.UUID{"dns": uuid.NameSpaceDNS, "url": uuid.NameSpaceURL, "oid": uuid.NameSpaceOID,
	"x500": uuid.NameSpaceX500}

// UUIDs generates identifiers.
func (m *MiscIDs) UUIDs(in UUIDInput) ([]string, error) {
	if in.Count == 0 {
		in.Count = 1
	}
	if in.Count < 1 || in.Count > MaxIDs {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "count must be 1 to %d", MaxIDs)
	}
	next, err := m.generator(in)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, in.Count)
	for range in.Count {
		id, err := next()
		if err != nil {
			return nil, err
		}
		if in.Format != "" {
			if id, err = applyMask(id, in.Format); err != nil {
				return nil, err
			}
		}
		out = append(out, id)
	}
	return out, nil
}

func (*MiscIDs) generator(in UUIDInput) (func() (string, error), error) {
	switch strings.ToLower(in.Type) {
	case "ulid":
		return func() (string, error) { return ulid.Make().String(), nil }, nil
	case "", "uuid":
	default:
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "type must be uuid or ulid")
	}
	named := func(f func(uuid.UUID, []byte) uuid.UUID) (func() (string, error), error) {
		if in.Name == "" {
			return nil, fault.Invalid(fault.ReasonMissingParameter, "name is required for version %s", in.Version)
		}
		ns, ok := namespaces[strings.ToLower(firstNonEmpty(in.Namespace, "dns"))]
		if !ok {
			var err error
			if ns, err = uuid.Parse(in.Namespace); err != nil {
				return nil, fault.Invalid(fault.ReasonInvalidParameter, "namespace must be dns, url, oid, x500 or a UUID")
			}
		}
		return func() (string, error) { return f(ns, []byte(in.Name)).String(), nil }, nil
	}
	switch strings.ToLower(in.Version) {
	case "", "v4":
		return func() (string, error) { u, err := uuid.NewRandom(); return u.String(), err }, nil
	case "v1":
		return func() (string, error) { u, err := uuid.NewUUID(); return u.String(), err }, nil
	case "v3":
		return named(uuid.NewMD5)
	case "v5":
		return named(uuid.NewSHA1)
	case "nil":
		return func() (string, error) { return uuid.Nil.String(), nil }, nil
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "version must be v1, v3, v4, v5 or nil")
}

// applyMask writes id's alphanumerics (dashes dropped) into the mask's x's.
func applyMask(id, mask string) (string, error) {
	digits := strings.ReplaceAll(id, "-", "")
	var b strings.Builder
	for _, r := range mask {
		if r != 'x' && r != 'X' {
			b.WriteRune(r)
			continue
		}
		if digits == "" {
			return "", fault.Invalid(fault.ReasonInvalidParameter, "format has more x's than the identifier has characters (%d)", len(strings.ReplaceAll(id, "-", "")))
		}
		b.WriteByte(digits[0])
		digits = digits[1:]
	}
	return b.String(), nil
}

// IDCheck is what ValidateID found.
type IDCheck struct {
	Valid   bool
	Type    string // uuid or ulid
	Version string // a UUID's: v1…v8, or nil; "" otherwise
}

// ValidateID checks a UUID or ULID; an empty type tries both.
func (*MiscIDs) ValidateID(typ, value string) (IDCheck, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return IDCheck{}, fault.Invalid(fault.ReasonMissingParameter, "value is required")
	}
	typ = strings.ToLower(typ)
	if typ != "" && typ != "uuid" && typ != "ulid" {
		return IDCheck{}, fault.Invalid(fault.ReasonInvalidParameter, "type must be uuid or ulid")
	}
	if typ != "ulid" && len(value) == 36 {
		if u, err := uuid.Parse(value); err == nil {
			v := "v" + strconv.Itoa(int(u.Version()))
			if u == uuid.Nil {
				v = "nil"
			}
			return IDCheck{Valid: true, Type: "uuid", Version: v}, nil
		}
	}
	if typ != "uuid" {
		if _, err := ulid.ParseStrict(value); err == nil {
			return IDCheck{Valid: true, Type: "ulid"}, nil
		}
	}
	return IDCheck{Type: firstNonEmpty(typ, "unknown")}, nil
}
