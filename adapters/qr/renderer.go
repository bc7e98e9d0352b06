// Package qr renders login QR payloads as PNG data URLs.
package qr

import (
	"encoding/base64"
	"fmt"

	"github.com/skip2/go-qrcode"

	"github.com/warest-go/warest/ports"
)

const (
	dataURLPrefix = "data:image/png;base64,"
	sizePixels    = 256
)

var _ ports.QRRenderer = (*Renderer)(nil)

// Renderer draws QR codes with medium error correction, which survives a screenshot
// or a slightly blurry camera without making the code too dense.
type Renderer struct{}

// New returns a Renderer.
func New() *Renderer { return &Renderer{} }

// DataURL returns payload as a 256×256 PNG data URL.
func (*Renderer) DataURL(payload string) (string, error) {
	png, err := qrcode.Encode(payload, qrcode.Medium, sizePixels)
	if err != nil {
		return "", fmt.Errorf("qr: encode: %w", err)
	}
	return dataURLPrefix + base64.StdEncoding.EncodeToString(png), nil
}
