// Package qr renders login QR payloads as PNG data URLs, and any text as a QR
// image file (PNG, JPEG, SVG).
package qr

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/jpeg"

	"github.com/skip2/go-qrcode"

	"github.com/warest-go/warest/domain/fault"
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

var _ ports.QRImages = (*Renderer)(nil)

// QRImage draws payload as a 256 px PNG or JPEG, or as an SVG of one square per
// dark module (on a quiet zone, as the bitmap has it).
func (*Renderer) QRImage(payload, format string) ([]byte, error) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fault.Invalid(fault.ReasonInvalidParameter, "the text cannot be a QR code: %v", err)
	}
	switch format {
	case "png":
		return q.PNG(sizePixels)
	case "jpg":
		var b bytes.Buffer
		err := jpeg.Encode(&b, q.Image(sizePixels), &jpeg.Options{Quality: 90})
		return b.Bytes(), err
	case "svg":
		return svg(q.Bitmap()), nil
	}
	return nil, fault.Invalid(fault.ReasonInvalidParameter, "a QR code image is png, jpg or svg, not %q", format)
}

func svg(bits [][]bool) []byte {
	var b bytes.Buffer
	n := len(bits)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`,
		n, n, sizePixels, sizePixels)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}
