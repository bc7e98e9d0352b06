package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// allowedOrigins reads the CORS allowlist as WAREST does: ALLOWED_ORIGINS or
// WAREST_ALLOWED_ORIGINS (comma separated, "*" for every origin); when unset, the
// gateway's own addresses: the public URL (WAREST_BASE_URL / WAREST_PUBLIC_URL),
// localhost and 127.0.0.1 on PORT, and HOST when it names one host.
func allowedOrigins(e env, host, port string) ([]string, error) {
	if raw := e.str("", "ALLOWED_ORIGINS", "WAREST_ALLOWED_ORIGINS"); raw != "" {
		var out []string
		for _, o := range strings.Split(raw, ",") {
			o = strings.TrimRight(strings.TrimSpace(o), "/")
			if o == "" {
				continue
			}
			if o != "*" && !isOrigin(o) {
				return nil, fmt.Errorf("ALLOWED_ORIGINS (or WAREST_ALLOWED_ORIGINS) must list origins such as https://app.example.com (or *), got %q", o)
			}
			out = append(out, o)
		}
		return out, nil
	}
	out := []string{"http://" + net.JoinHostPort("localhost", port), "http://" + net.JoinHostPort("127.0.0.1", port)}
	if base := e.str("", "WAREST_BASE_URL", "WAREST_PUBLIC_URL"); base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("WAREST_BASE_URL must be an http(s) URL, got %q", base)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	switch host {
	case "", "0.0.0.0", "::", "localhost", "127.0.0.1":
	default:
		out = append(out, "http://"+net.JoinHostPort(host, port))
	}
	return out, nil
}

// isOrigin reports whether s is scheme://host[:port] and nothing more.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}
