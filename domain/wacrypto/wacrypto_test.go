package wacrypto

import (
	"bytes"
	"testing"
)

// The vote's plaintext is a PollVoteMessage; only field 1 (the option hashes)
// counts, other fields are skipped and truncated input is refused.
func TestSelectedOptionsReadsField1Only(t *testing.T) {
	t.Parallel()
	a, b := OptionHash("Red"), OptionHash("Blue")
	msg := append([]byte{0x0a, 32}, a...)
	msg = append(msg, 0x10, 0x96, 0x01)  // field 2, varint 150
	msg = append(msg, 0x1a, 2, 'h', 'i') // field 3, bytes
	msg = append(msg, 0x25, 1, 2, 3, 4)  // field 4, fixed32
	msg = append(append(msg, 0x0a, 32), b...)
	got, err := selectedOptions(msg)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], a) || !bytes.Equal(got[1], b) {
		t.Fatalf("selectedOptions = %x, %v", got, err)
	}
	if idx := Selected([]string{"Red", "Green", "Blue"}, got); len(idx) != 2 || idx[0] != 0 || idx[1] != 2 {
		t.Fatalf("Selected = %v", idx)
	}
	for _, bad := range [][]byte{{0x0a, 32, 1}, {0x0a}, {0x13}, {0x25, 1}} {
		if _, err := selectedOptions(bad); err == nil {
			t.Errorf("selectedOptions(%x) accepted", bad)
		}
	}
}

func TestMediaTypeFor(t *testing.T) {
	t.Parallel()
	for mime, want := range map[string]MediaType{"image/webp": MediaImage, "video/mp4": MediaVideo, "audio/ogg; codecs=opus": MediaAudio,
		"application/pdf": MediaDocument, "": MediaDocument} {
		if got := MediaTypeFor(mime); got != want {
			t.Errorf("MediaTypeFor(%q) = %q, want %q", mime, got, want)
		}
	}
}
