package phonenumber_test

import (
	"testing"

	"github.com/warest-go/warest/adapters/phonenumber"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

func TestParse(t *testing.T) {
	t.Parallel()
	p := phonenumber.Plan{}
	cases := []struct {
		raw, country string
		want         ports.PhoneNumber
	}{
		{"6281234567890", "", ports.PhoneNumber{Digits: "6281234567890", Region: "ID"}},
		{"+62 812-3456-7890", "", ports.PhoneNumber{Digits: "6281234567890", Region: "ID"}},
		{"081234567890", "ID", ports.PhoneNumber{Digits: "6281234567890", Region: "ID"}},
		{"081234567890", "62", ports.PhoneNumber{Digits: "6281234567890", Region: "ID"}},
		{"(415) 555-2671", "us", ports.PhoneNumber{Digits: "14155552671", Region: "US"}},
		{"00442071838750", "", ports.PhoneNumber{Digits: "442071838750", Region: "GB"}},
	}
	for _, c := range cases {
		got, err := p.Parse(c.raw, c.country)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q, %q) = %+v, %v; want %+v", c.raw, c.country, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "12", "abc", "62812345678901234567"} {
		if _, err := p.Parse(bad, ""); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("Parse(%q) err = %v, want invalid", bad, err)
		}
	}
	if r := p.Region("14155552671"); r != "US" {
		t.Errorf("Region = %q", r)
	}
}
