// Package mediafetch downloads client-given media URLs without letting a client reach
// our own network: every dial (the first request, each redirect) checks the address
// DNS resolved to, and bodies are capped.
package mediafetch

import (
	"net/netip"
)

// blockedPrefixes are the non-public ranges: this host, private networks, link-local
// (cloud metadata at 169.254.169.254 included), CGNAT, benchmarking, documentation,
// multicast and reserved space, in IPv4 and IPv6.
var blockedPrefixes = mustPrefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
	"224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// PublicOnly is the default policy: only globally routable unicast addresses.
func PublicOnly(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
