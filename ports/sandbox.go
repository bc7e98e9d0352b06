package ports

import "github.com/warest-go/warest/domain/message"

// SandboxNetwork is the control surface of the virtual WhatsApp network (sandbox transport only).
type SandboxNetwork interface {
	CurrentQR(sessionID string) (string, bool)
	Scan(sessionID, qrCode, phone, pushName string) error
	ConfirmPairCode(sessionID, code string) error
	InjectText(sessionID, fromPhone, pushName, text string) (string, error)
	Sent(sessionID string) []message.Outbound
}
