package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"
)

// SessionInfo is the `session` block of a WAREST webhook body. It carries no secret.
type SessionInfo struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Registry string `json:"registry"`
	Username string `json:"username"`
}

// Body builds the WAREST webhook body {event, data, ts, session} in that field order.
// data is the event payload object; sessionId is added to it as WAREST does.
func Body(event string, data json.RawMessage, sessionID string, ts time.Time, s SessionInfo) ([]byte, error) {
	withID, err := addSessionID(data, sessionID)
	if err != nil {
		return nil, err
	}
	type body struct {
		Event   string          `json:"event"`
		Data    json.RawMessage `json:"data"`
		TS      int64           `json:"ts"`
		Session SessionInfo     `json:"session"`
	}
	return json.Marshal(body{Event: event, Data: withID, TS: ts.UnixMilli(), Session: s})
}

func addSessionID(data json.RawMessage, sessionID string) (json.RawMessage, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, fmt.Errorf("webhook: event data is not an object: %w", err)
	}
	if _, ok := m["sessionId"]; ok {
		return trimmed, nil
	}
	id, _ := json.Marshal(sessionID)
	if len(m) == 0 {
		return json.RawMessage(`{"sessionId":` + string(id) + `}`), nil
	}
	// Append rather than re-marshal so the payload's own field order is kept.
	out := make([]byte, 0, len(trimmed)+len(id)+14)
	out = append(out, trimmed[:len(trimmed)-1]...)
	out = append(out, `,"sessionId":`...)
	out = append(out, id...)
	out = append(out, '}')
	return out, nil
}

// Algorithm is a SHA-2 HMAC variant selectable by WAREST_WEBHOOK_SIGNATURE_SHA2.
type Algorithm int

const (
	SHA224 Algorithm = 224
	SHA256 Algorithm = 256
	SHA384 Algorithm = 384
	SHA512 Algorithm = 512
)

// ParseAlgorithm maps "224".."512" to an algorithm, defaulting to SHA-256.
func ParseAlgorithm(bits int) Algorithm {
	switch Algorithm(bits) {
	case SHA224, SHA384, SHA512:
		return Algorithm(bits)
	}
	return SHA256
}

// Name is the header token, e.g. "HMAC-SHA256".
func (a Algorithm) Name() string { return fmt.Sprintf("HMAC-SHA%d", int(a)) }

func (a Algorithm) hasher() func() hash.Hash {
	switch a {
	case SHA224:
		return sha256.New224
	case SHA384:
		return sha512.New384
	case SHA512:
		return sha512.New
	}
	return sha256.New
}

// SigningKey is WAREST's HMAC key: the webhook secret followed by the owner's username.
func SigningKey(secret, username string) []byte { return []byte(secret + username) }

// Sign returns the X-WAREST-Signature value "HMAC-SHA256=<hex>" over the raw body.
func Sign(a Algorithm, key, body []byte) string {
	m := hmac.New(a.hasher(), key)
	m.Write(body)
	return a.Name() + "=" + hex.EncodeToString(m.Sum(nil))
}

// Envelope is everything needed to address one webhook request.
type Envelope struct {
	Event     string
	EventID   string
	Data      json.RawMessage
	SessionID string
	At        time.Time // when the event occurred: the body's ts and X-WAREST-Timestamp
	SentAt    time.Time // when this attempt is made: Standard Webhooks' webhook-timestamp (At when zero)
	Session   SessionInfo
	Attempt   int // 1-based; 0 for a preflight
}

// Signing says how to sign: the mode, the HMAC variant (WAREST mode) and the keys,
// the current one first and, during a rotation, the previous one.
type Signing struct {
	Mode      Mode
	Algorithm Algorithm
	Keys      [][]byte
}

// Request is a signed, ready-to-send webhook body with its headers.
type Request struct {
	Body    []byte
	Headers map[string]string
}

// Build renders the WAREST body and its headers, signed as sg says. The routing
// headers (event, session, attempt) are sent in both modes.
func Build(sg Signing, e Envelope) (Request, error) {
	if len(sg.Keys) == 0 {
		return Request{}, fmt.Errorf("webhook: no signing key")
	}
	body, err := Body(e.Event, e.Data, e.SessionID, e.At, e.Session)
	if err != nil {
		return Request{}, err
	}
	h := map[string]string{
		"Content-Type":      "application/json",
		"X-WAREST-Event":    e.Event,
		"X-WAREST-Event-Id": e.EventID,
		"X-WAREST-Session":  e.Session.ID,
		"X-WAREST-Registry": e.Session.Registry,
		"X-WAREST-Label":    e.Session.Label,
		"X-WAREST-Username": e.Session.Username,
		"X-WAREST-Version":  "1",
	}
	if e.Attempt > 0 {
		h["X-WAREST-Delivery-Attempt"] = fmt.Sprint(e.Attempt)
	} else {
		h["X-WAREST-Preflight"] = "1"
	}
	if sg.Mode == ModeStandard {
		// The spec signs the attempt's time, not the event's: receivers refuse
		// timestamps older than a few minutes, and a retry may come hours later.
		sent := e.SentAt
		if sent.IsZero() {
			sent = e.At
		}
		sigs := make([]string, len(sg.Keys))
		for i, k := range sg.Keys {
			sigs[i] = StandardSignature(k, e.EventID, sent, body)
		}
		h["webhook-id"] = e.EventID
		h["webhook-timestamp"] = fmt.Sprint(sent.Unix())
		h["webhook-signature"] = strings.Join(sigs, " ")
		return Request{Body: body, Headers: h}, nil
	}
	h["X-WAREST-Signature"] = Sign(sg.Algorithm, sg.Keys[0], body)
	h["X-WAREST-Signature-Alg"] = sg.Algorithm.Name()
	h["X-WAREST-Timestamp"] = fmt.Sprint(e.At.UnixMilli())
	if len(sg.Keys) > 1 {
		h["X-WAREST-Signature-Previous"] = Sign(sg.Algorithm, sg.Keys[1], body)
	}
	return Request{Body: body, Headers: h}, nil
}

// StandardKey is the HMAC key of a Standard Webhooks secret: "whsec_" + base64 is
// decoded, anything else is used as it is.
func StandardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if k, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return k
		}
	}
	return []byte(secret)
}

// StandardSignature is "v1," + base64(HMAC-SHA256(key, "id.timestamp.body")).
func StandardSignature(key []byte, id string, at time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, at.Unix())
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Keys derives the signing keys of a subscription's secrets for the given mode.
func Keys(mode Mode, secrets []string, username string) [][]byte {
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		if mode == ModeStandard {
			keys[i] = StandardKey(s)
		} else {
			keys[i] = SigningKey(s, username)
		}
	}
	return keys
}
