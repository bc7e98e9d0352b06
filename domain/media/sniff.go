// Package media holds the pure rules about outbound files: what a file is (sniffed
// from its bytes), which files may not be sent (WAREST's executable and script
// blocklist), and which MIME types each send route accepts.
package media

import (
	"bytes"
	"net/http"
	"path"
	"strings"
)

// Sniff names the MIME type of data from its first bytes: Go's WHATWG sniffer plus
// the containers it does not know (Ogg/Opus, WebP, MP4/3GP/MOV, Matroska, 7z, RAR,
// Windows executables). It returns application/octet-stream when nothing matches.
func Sniff(data []byte) string {
	for _, m := range magics {
		if m.match(data) {
			return m.mime
		}
	}
	mime := http.DetectContentType(data)
	if i := strings.IndexByte(mime, ';'); i >= 0 && !strings.HasPrefix(mime, "text/") {
		mime = mime[:i]
	}
	return mime
}

type magic struct {
	mime  string
	match func([]byte) bool
}

func prefix(p string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(p)) }
}

func at(off int, p string) func([]byte) bool {
	return func(b []byte) bool { return len(b) >= off+len(p) && string(b[off:off+len(p)]) == p }
}

var magics = []magic{
	{"audio/ogg; codecs=opus", func(b []byte) bool { return prefix("OggS")(b) && bytes.Contains(head(b, 128), []byte("OpusHead")) }},
	{"audio/ogg", prefix("OggS")},
	{"image/webp", func(b []byte) bool { return prefix("RIFF")(b) && at(8, "WEBP")(b) }},
	{"audio/wav", func(b []byte) bool { return prefix("RIFF")(b) && at(8, "WAVE")(b) }},
	{"video/3gpp", func(b []byte) bool { return at(4, "ftyp3g")(b) }},
	{"video/quicktime", func(b []byte) bool { return at(4, "ftypqt")(b) }},
	{"audio/mp4", func(b []byte) bool { return at(4, "ftypM4A")(b) }},
	{"video/mp4", func(b []byte) bool { return at(4, "ftyp")(b) }},
	{"video/webm", func(b []byte) bool {
		return prefix("\x1a\x45\xdf\xa3")(b) && bytes.Contains(head(b, 64), []byte("webm"))
	}},
	{"video/x-matroska", prefix("\x1a\x45\xdf\xa3")},
	{"audio/mpeg", func(b []byte) bool {
		return prefix("ID3")(b) || (len(b) > 1 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0)
	}},
	{"audio/amr", prefix("#!AMR")},
	{"audio/flac", prefix("fLaC")},
	{"application/x-7z-compressed", prefix("7z\xbc\xaf\x27\x1c")},
	{"application/vnd.rar", prefix("Rar!\x1a\x07")},
	{"application/x-msdownload", prefix("MZ")},
	{"application/x-executable", prefix("\x7fELF")},
	{"application/x-mach-binary", func(b []byte) bool {
		return prefix("\xcf\xfa\xed\xfe")(b) || prefix("\xce\xfa\xed\xfe")(b) || prefix("\xca\xfe\xba\xbe")(b)
	}},
	{"application/x-sh", prefix("#!")},
}

func head(b []byte, n int) []byte { return b[:min(len(b), n)] }

// Base is the MIME type without parameters, lower case.
func Base(mime string) string {
	mime, _, _ = strings.Cut(mime, ";")
	return strings.ToLower(strings.TrimSpace(mime))
}

// Ext is a file name's extension, lower case, without the dot.
func Ext(name string) string { return strings.ToLower(strings.TrimPrefix(path.Ext(name), ".")) }
