// Package netpolicy decides which network addresses the gateway may dial on a
// client's behalf (media URLs, webhook receivers), so a client cannot make it reach
// the host's own network or the cloud metadata service.
package netpolicy

import "net/netip"

// Allow reports whether an address (after DNS resolution) may be dialled.
type Allow func(netip.Addr) bool

// nonPublic are the ranges that are not public: this host, private networks,
// link-local (cloud metadata at 169.254.169.254 included), CGNAT, benchmarking,
// documentation, multicast and reserved space, in IPv4 and IPv6.
var nonPublic = prefixes(
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
	"224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
)

// neverDial are ranges no receiver legitimately lives in: unspecified, link-local
// (where metadata services answer) and multicast.
var neverDial = prefixes("0.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::/128", "fe80::/10", "ff00::/8")

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// PublicOnly allows globally routable unicast addresses only.
func PublicOnly(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !inAny(a, nonPublic)
}

// NoLinkLocal allows loopback and private networks (a receiver on the same host or
// network is common) but never link-local, unspecified or multicast addresses.
func NoLinkLocal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && !inAny(a, neverDial)
}
