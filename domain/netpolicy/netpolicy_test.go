package netpolicy_test

import (
	"net/netip"
	"net/url"
	"testing"

	"github.com/warest-go/warest/domain/netpolicy"
)

func TestReachAllows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr            string
		public, private bool
	}{
		{"93.184.216.34", true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true},
		// This host and private networks: admins' sessions only (by default).
		{"127.0.0.1", false, true},
		{"127.255.255.254", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.17.0.2", false, true},
		{"192.168.1.10", false, true},
		{"100.64.0.1", false, true},
		{"192.0.0.8", false, true},
		{"fd00::1", false, true},
		{"2001:db8::1", false, true},
		// Cloud metadata: never.
		{"169.254.169.254", false, false},
		{"169.254.170.2", false, false},
		{"169.254.0.1", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"168.63.129.16", false, false},
		{"192.0.0.192", false, false},
		// The same in IPv6 clothing: IPv4-mapped, NAT64, 6to4, IPv4-compatible.
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:a9fe:a9fe", false, false},
		{"::ffff:127.0.0.1", false, true},
		{"::ffff:8.8.8.8", true, true},
		{"64:ff9b::a9fe:a9fe", false, false},
		{"64:ff9b::169.254.169.254", false, false},
		{"64:ff9b::6464:64c8", false, false}, // 100.100.100.200
		{"64:ff9b::7f00:1", false, true},
		{"64:ff9b::808:808", true, true},
		{"64:ff9b:1::a9fe:a9fe", false, false},
		{"2002:a9fe:a9fe::1", false, false},
		{"2002:7f00:1::1", false, true},
		{"2002:808:808::1", true, true},
		{"::a9fe:a9fe", false, false},
		{"::7f00:1", false, false},
		// Unspecified, this-network, link-local, multicast, broadcast, reserved, Teredo.
		{"0.0.0.0", false, false},
		{"0.1.2.3", false, false},
		{"::", false, false},
		{"fe80::1", false, false},
		{"fe80::1%eth0", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
		{"255.255.255.255", false, false},
		{"240.0.0.1", false, false},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false, false},
	}
	for _, c := range cases {
		a := netip.MustParseAddr(c.addr)
		if got := netpolicy.Public.Allows(a); got != c.public {
			t.Errorf("Public.Allows(%s) = %v, want %v", c.addr, got, c.public)
		}
		if got := netpolicy.PublicOnly(a); got != c.public {
			t.Errorf("PublicOnly(%s) = %v, want %v", c.addr, got, c.public)
		}
		if got := netpolicy.Private.Allows(a); got != c.private {
			t.Errorf("Private.Allows(%s) = %v, want %v", c.addr, got, c.private)
		}
	}
	if netpolicy.Private.Allows(netip.Addr{}) || netpolicy.Public.Allows(netip.Addr{}) {
		t.Error("the zero address is allowed")
	}
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	literals := map[string]string{
		"127.0.0.1": "127.0.0.1", "127.0.0.1.": "127.0.0.1", "::ffff:169.254.169.254": "::ffff:169.254.169.254",
		"fe80::1%eth0": "fe80::1%eth0", "8.8.8.8": "8.8.8.8",
	}
	for host, want := range literals {
		a, literal, err := netpolicy.ParseHost(host)
		if err != nil || !literal || a.String() != want {
			t.Errorf("ParseHost(%q) = %v, %v, %v; want the literal %s", host, a, literal, err, want)
		}
	}
	for _, host := range []string{"hooks.example.com", "localhost", "metadata.google.internal", "a1.b2", "example.com.", "0x.example"} {
		if _, literal, err := netpolicy.ParseHost(host); err != nil || literal {
			t.Errorf("ParseHost(%q) = %v, %v; want a name", host, literal, err)
		}
	}
	// Numeric spellings that browsers and some resolvers read as 127.0.0.1 or
	// 169.254.169.254: refused whether or not Go's URL parser lets them through.
	for _, host := range []string{"2130706433", "0x7f000001", "0x7f.0.0.1", "017700000001", "0177.0.0.1", "127.1",
		"127.000.000.001", "1.2.3.0x4", "2852039166", "0xa9.0xfe.0xa9.0xfe", "0251.0376.0251.0376", "169.254.43518", "0x", ""} {
		u, err := url.Parse("http://" + host + "/hook")
		if err != nil {
			continue
		}
		if _, _, err := netpolicy.ParseHost(u.Hostname()); err == nil {
			t.Errorf("ParseHost(%q) accepted a numeric spelling", host)
		}
	}
}

func TestPrivateTargets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		admin, tenant netpolicy.Reach
	}{
		{"admins", netpolicy.Private, netpolicy.Public},
		{"all", netpolicy.Private, netpolicy.Private},
		{"NONE", netpolicy.Public, netpolicy.Public},
	}
	for _, c := range cases {
		p, ok := netpolicy.ParsePrivateTargets(c.name)
		if !ok || p.Reach(true) != c.admin || p.Reach(false) != c.tenant {
			t.Errorf("%s: %v %v admin %v tenant %v", c.name, p, ok, p.Reach(true), p.Reach(false))
		}
	}
	if _, ok := netpolicy.ParsePrivateTargets("everyone"); ok {
		t.Error("an unknown value was accepted")
	}
	if netpolicy.PrivateTargets(0) != netpolicy.PrivateForAdmins || netpolicy.Reach(0) != netpolicy.Public {
		t.Error("the zero values are not the defaults")
	}
}
