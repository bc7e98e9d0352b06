package qr

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/ports"
)

func TestDataURLIsPNG(t *testing.T) {
	t.Parallel()
	url, err := New().DataURL("sandbox-qr:s1:1:abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "data:image/png;base64,") {
		t.Fatalf("prefix: %.40q", url)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Fatalf("size %v, want 256x256", b)
	}
}

func TestDataURLRejectsOversizedPayload(t *testing.T) {
	t.Parallel()
	if _, err := New().DataURL(strings.Repeat("x", 5000)); err == nil {
		t.Fatal("want error for a payload no QR version can hold")
	}
}

func TestModuleProvidesRenderer(t *testing.T) {
	t.Parallel()
	if err := fx.ValidateApp(Module, fx.Invoke(func(ports.QRRenderer, ports.QRImages) {})); err != nil {
		t.Fatal(err)
	}
}

func TestQRImageFormats(t *testing.T) {
	t.Parallel()
	r := New()
	for format, decode := range map[string]func([]byte) (image.Image, error){
		"png": func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) },
		"jpg": func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) },
	} {
		data, err := r.QRImage("Hello QR", format)
		if err != nil {
			t.Fatal(err)
		}
		img, err := decode(data)
		if err != nil || img.Bounds().Dx() != 256 {
			t.Fatalf("%s: %v, %v", format, err, img)
		}
	}
	data, err := r.QRImage("Hello QR", "svg")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	// Version 1 with the quiet zone: 21 modules + 2×4.
	if doc.ViewBox != "0 0 29 29" || strings.Count(doc.Path.D, "M") < 100 {
		t.Fatalf("svg viewBox %q with %d modules", doc.ViewBox, strings.Count(doc.Path.D, "M"))
	}
	if _, err := r.QRImage("x", "gif"); err == nil {
		t.Error("gif accepted")
	}
}
