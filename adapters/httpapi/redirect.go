package httpapi

import (
	"net/url"
)

// afterLogin is where a login goes when it names no acceptable place.
const afterLogin = "/docs"

// localPath returns next when it is a path on this site, else afterLogin. Browsers
// read "//host", "/\host" and "/<tab>/host" as another host, and some clients
// decode the path once more before following it, so next must pass as given and
// after every round of percent-decoding: it starts with one "/" not followed by "/"
// or "\", and holds only visible ASCII, no "\", no scheme and no host.
func localPath(next string) string {
	if next == "" || len(next) > 2048 {
		return afterLogin
	}
	for p := next; ; {
		if !localForm(p) {
			return afterLogin
		}
		decoded, err := url.PathUnescape(p)
		if err != nil {
			return afterLogin
		}
		if decoded == p {
			return next
		}
		p = decoded
	}
}

func localForm(p string) bool {
	if len(p) < 1 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}
