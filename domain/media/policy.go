package media

import (
	"fmt"
	"slices"
	"strings"
)

// blockedExt are WAREST's executable and script extensions.
var blockedExt = []string{"exe", "msi", "bat", "cmd", "com", "scr", "pif", "cpl", "sh", "bash", "zsh", "ps1", "psm1",
	"vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "apk", "app", "dmg", "deb", "rpm", "run", "bin", "elf",
	"dll", "so", "msc", "reg", "lnk", "gadget", "py", "pl", "php", "rb"}

// blockedMIME are the executable and script types, whatever the file is called.
var blockedMIME = []string{"application/x-msdownload", "application/x-dosexec", "application/x-executable",
	"application/x-mach-binary", "application/x-sh", "application/x-shellscript", "application/x-bat",
	"application/x-msi", "application/java-archive", "application/vnd.android.package-archive",
	"application/javascript", "text/javascript", "application/x-python", "text/x-python", "application/x-php"}

// Blocked reports why a file may not be sent as a document, or "" when it may. The
// sniffed type of the bytes counts as much as the name and the declared type.
func Blocked(name, declared, sniffed string) string {
	if ext := Ext(name); ext != "" && slices.Contains(blockedExt, ext) {
		return fmt.Sprintf("Files with .%s extensions are not allowed", ext)
	}
	for _, m := range []string{Base(declared), Base(sniffed)} {
		if slices.Contains(blockedMIME, m) {
			return fmt.Sprintf("Files of type %s are not allowed", m)
		}
	}
	return ""
}

// Class is what a route may send.
type Class int

const (
	ClassImageOrVideo Class = iota // send/media
	ClassAudio                     // send/audio
	ClassImage                     // send/sticker
	ClassGIF                       // send/gif: a GIF or a video
	ClassAny                       // send/document and send/files (after Blocked)
)

// Accepts reports whether a file of type mime fits the class.
func (c Class) Accepts(mime string) bool {
	m := Base(mime)
	switch c {
	case ClassImageOrVideo:
		return strings.HasPrefix(m, "image/") || strings.HasPrefix(m, "video/")
	case ClassAudio:
		return strings.HasPrefix(m, "audio/") || m == "video/mp4" || m == "video/webm" // audio-only containers sniff as video
	case ClassImage:
		return strings.HasPrefix(m, "image/")
	case ClassGIF:
		return m == "image/gif" || strings.HasPrefix(m, "video/")
	}
	return true
}

// Pick chooses the type to trust: the sniffed one when the bytes are recognisable,
// else what the client declared, else what the name suggests.
func Pick(sniffed, declared, name string) string {
	if s := Base(sniffed); s != "" && s != "application/octet-stream" && !strings.HasPrefix(s, "text/plain") {
		return sniffed
	}
	if d := Base(declared); d != "" && d != "application/octet-stream" {
		return d
	}
	if m, ok := byExt[Ext(name)]; ok {
		return m
	}
	if s := Base(sniffed); s != "" {
		return s
	}
	return "application/octet-stream"
}

var byExt = map[string]string{
	"pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv", "json": "application/json", "xml": "application/xml",
	"doc": "application/msword", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xls": "application/vnd.ms-excel", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ppt": "application/vnd.ms-powerpoint", "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"zip": "application/zip", "md": "text/markdown", "yaml": "application/x-yaml", "yml": "application/x-yaml",
	"opus": "audio/ogg; codecs=opus", "ogg": "audio/ogg", "mp3": "audio/mpeg", "m4a": "audio/mp4", "aac": "audio/aac",
	"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
	"mp4": "video/mp4", "mov": "video/quicktime", "3gp": "video/3gpp", "webm": "video/webm", "mkv": "video/x-matroska",
}

// ExtFor is a file extension for a MIME type, for generated file names.
func ExtFor(mime string) string {
	m := Base(mime)
	for ext, t := range byExt {
		if Base(t) == m && len(ext) <= 4 && ext != "jpeg" && ext != "yml" && ext != "opus" {
			return ext
		}
	}
	if _, sub, ok := strings.Cut(m, "/"); ok && len(sub) <= 5 && !strings.ContainsAny(sub, ".+-") {
		return sub
	}
	return "bin"
}
