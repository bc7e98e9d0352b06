package netpolicy_test

import (
	"net/netip"
	"testing"

	"github.com/warest-go/warest/domain/netpolicy"
)

func TestPolicies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr                string
		public, noLinkLocal bool
	}{
		{"93.184.216.34", true, true},
		{"2606:2800:220:1:248:1893:25c8:1946", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.17.0.2", false, true},
		{"192.168.1.10", false, true},
		{"100.64.0.1", false, true},
		{"fd00::1", false, true},
		{"169.254.169.254", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"fe80::1", false, false},
		{"0.0.0.0", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
	}
	for _, c := range cases {
		a := netip.MustParseAddr(c.addr)
		if got := netpolicy.PublicOnly(a); got != c.public {
			t.Errorf("PublicOnly(%s) = %v, want %v", c.addr, got, c.public)
		}
		if got := netpolicy.NoLinkLocal(a); got != c.noLinkLocal {
			t.Errorf("NoLinkLocal(%s) = %v, want %v", c.addr, got, c.noLinkLocal)
		}
	}
}
