package media_test

import (
	"testing"

	"github.com/warest-go/warest/domain/media"
	"github.com/warest-go/warest/domain/message"
)

func TestMirrorPolicy_Allows(t *testing.T) {
	t.Parallel()
	p := media.MirrorPolicy{Enabled: true, Allow: []string{"image/*", "application/pdf", " Audio/OGG "}}
	for mime, want := range map[string]bool{
		"image/jpeg": true, "IMAGE/PNG": true, "application/pdf": true, "audio/ogg; codecs=opus": true,
		"video/mp4": false, "application/pdfx": false, "": false, "imagex/png": false,
	} {
		if got := p.Allows(mime); got != want {
			t.Errorf("Allows(%q) = %v, want %v", mime, got, want)
		}
	}
	if (media.MirrorPolicy{Enabled: true, Allow: []string{"*/*"}}).Allows("") {
		t.Error("a missing type must never be mirrored")
	}
	if !(media.MirrorPolicy{Enabled: true, Allow: []string{"*/*"}}).Allows("x/y") {
		t.Error("*/* allows every type")
	}
	if (media.MirrorPolicy{Allow: []string{"*/*"}}).Allows("image/jpeg") {
		t.Error("mirroring off allows nothing")
	}
}

func TestMirrorKey(t *testing.T) {
	t.Parallel()
	if got := media.MirrorKey("s1", "3EB0", message.Content{Kind: message.KindImage,
		Media: &message.Media{MIME: "image/jpeg", FileSHA256: []byte{0xab, 0x01}}}); got != "incoming-media/s1/imageMessage/ab01.jpg" {
		t.Errorf("with a hash: %s", got)
	}
	if got := media.MirrorKey("s1", "3EB0", message.Content{Kind: message.KindDocument,
		Media: &message.Media{MIME: "application/pdf"}}); got != "incoming-media/s1/documentMessage/3EB0.pdf" {
		t.Errorf("without a hash: %s", got)
	}
}
