package ports

import "context"

// QRImages draws a QR code of payload as an image file, for the misc QR route.
type QRImages interface {
	// QRImage encodes payload as "png", "jpg" or "svg".
	QRImage(payload, format string) ([]byte, error)
}

// PhoneNumbers reads phone numbers as a telephone numbering plan does.
type PhoneNumbers interface {
	// Parse reads raw in international form, or national form with country (an ISO
	// 3166 code such as "ID" or a dial code such as "62"); an unparsable or
	// impossible number is a fault.KindInvalid error.
	Parse(raw, country string) (PhoneNumber, error)
	// Region is the ISO country of an international number given as digits ("" when
	// unknown).
	Region(digits string) string
}

// PhoneNumber is a parsed number.
type PhoneNumber struct {
	Digits string // E.164 without "+"
	Region string // ISO 3166 country, "" when the plan does not say
}

// MessageSecrets finds the secret a message was sent with (a poll's, to decrypt
// its votes); fault.KindNotFound when the session's device does not have it.
type MessageSecrets interface {
	MessageSecret(ctx context.Context, sessionID, chat, sender, messageID string) ([]byte, error)
}
