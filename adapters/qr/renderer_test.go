package qr

import (
	"bytes"
	"encoding/base64"
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
	if err := fx.ValidateApp(Module, fx.Invoke(func(ports.QRRenderer) {})); err != nil {
		t.Fatal(err)
	}
}
