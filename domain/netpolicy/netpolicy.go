// Package netpolicy decides which network addresses the gateway may dial on a
// client's behalf (media URLs, webhook receivers), so a client cannot make it reach
// the host's own network or the cloud metadata service.
package netpolicy

import (
	"net/netip"
	"strings"

	"github.com/warest-go/warest/domain/fault"
)

// Allow reports whether an address (after DNS resolution) may be dialled.
type Allow func(netip.Addr) bool

// Reach is how far from the public internet a target may be.
type Reach uint8

const (
	// Public allows globally routable unicast addresses only. The zero value: a
	// request that says nothing gets the strictest reach.
	Public Reach = iota
	// Private also allows loopback and private networks (a receiver on the same host
	// or network), never the addresses no target legitimately has.
	Private
)

// metadata are the cloud metadata and instance services: link-local space (AWS,
// GCP — metadata.google.internal resolves there —, Azure IMDS, ECS task metadata at
// 169.254.170.2), AWS's IPv6 fd00:ec2::254, Alibaba's 100.100.100.200, Azure's
// wireserver 168.63.129.16 and Oracle's 192.0.0.192.
var metadata = prefixes("169.254.0.0/16", "fd00:ec2::254/128", "100.100.100.200/32", "168.63.129.16/32", "192.0.0.192/32")

// unusable are never a target either: "this host" (0.0.0.0 dials the local host),
// multicast, reserved and broadcast space, IPv6 link-local and multicast, the
// deprecated IPv4-compatible IPv6 form (::/96 but ::1), Teredo, and the local-use
// NAT64 prefix, whose embedding of an IPv4 address depends on the network.
var unusable = prefixes("0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4",
	"::/96", "fe80::/10", "ff00::/8", "2001::/32", "64:ff9b:1::/48")

// nonPublic are the ranges that are not public: this host, private networks,
// CGNAT, benchmarking, documentation and protocol-assignment space, unique-local
// and discard-only IPv6.
var nonPublic = prefixes(
	"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
	"192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
	"::1/128", "100::/64", "2001:db8::/32", "fc00::/7",
)

// Embeddings of an IPv4 address in IPv6: the well-known NAT64 prefix (RFC 6052,
// last 32 bits) and 6to4 (bits 16-47). A NAT64 gateway or 6to4 relay connects to
// the IPv4 address, so that address is what the policy judges.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	loopback6 = netip.IPv6Loopback()
)

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

// embeddedIPv4 is the IPv4 address an IPv6 address reaches through NAT64 or 6to4.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Allows reports whether a target at a may be dialled.
func (r Reach) Allows(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return false
	}
	if v4, ok := embeddedIPv4(a); ok {
		return r.Allows(v4)
	}
	if inAny(a, metadata) || (inAny(a, unusable) && a != loopback6) {
		return false
	}
	return r == Private || (a.IsGlobalUnicast() && !inAny(a, nonPublic))
}

// PublicOnly allows globally routable unicast addresses only.
func PublicOnly(a netip.Addr) bool { return Public.Allows(a) }

// ParseHost reads the host of a URL as written (url.URL.Hostname). An IP literal is returned with
// literal set. A host that ends in a number is an IPv4 address to browsers and to
// some resolvers ("2130706433", "0x7f.1", "017700000001", "127.1"), so anything but
// a plain dotted quad of that shape is refused rather than left to whichever
// resolver reads it.
func ParseHost(host string) (addr netip.Addr, literal bool, err error) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return netip.Addr{}, false, fault.Invalid(fault.ReasonInvalidParameter, "the URL has no host")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true, nil
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if numeric(last) {
		return netip.Addr{}, false, fault.Invalid(fault.ReasonInvalidParameter, "host %q is not a valid IP address or name", host)
	}
	return netip.Addr{}, false, nil
}

// numeric reports whether a host label is a decimal, octal or hex number.
func numeric(label string) bool {
	if l := strings.ToLower(label); strings.HasPrefix(l, "0x") {
		return strings.Trim(l[2:], "0123456789abcdef") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

// PrivateTargets says whose targets may be on loopback and private networks.
type PrivateTargets uint8

const (
	// PrivateForAdmins: admins' sessions may, other users' need public addresses
	// (a tenant must not reach the gateway's own network). The default.
	PrivateForAdmins PrivateTargets = iota
	// PrivateForAll: every session may (single-tenant deployments).
	PrivateForAll
	// PrivateForNone: every target needs a public address.
	PrivateForNone
)

// ParsePrivateTargets reads "admins", "all" or "none".
func ParsePrivateTargets(s string) (PrivateTargets, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "admins":
		return PrivateForAdmins, true
	case "all":
		return PrivateForAll, true
	case "none":
		return PrivateForNone, true
	}
	return 0, false
}

// Reach is how far the targets of a session owned by an admin (or not) may be.
func (p PrivateTargets) Reach(admin bool) Reach {
	if p == PrivateForAll || (p == PrivateForAdmins && admin) {
		return Private
	}
	return Public
}
