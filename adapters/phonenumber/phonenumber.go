// Package phonenumber reads phone numbers with libphonenumber's metadata (the
// nyaruka/phonenumbers port): national forms, country codes, possible lengths.
package phonenumber

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Plan implements ports.PhoneNumbers.
type Plan struct{}

var _ ports.PhoneNumbers = Plan{}

// Parse reads raw; country is an ISO code ("ID") or a dial code ("62", "+62") for
// numbers written without their country code.
func (Plan) Parse(raw, country string) (ports.PhoneNumber, error) {
	region := strings.ToUpper(strings.TrimSpace(country))
	if code, err := strconv.Atoi(strings.TrimPrefix(region, "+")); err == nil {
		region = phonenumbers.GetRegionCodeForCountryCode(code)
	}
	raw = strings.TrimSpace(raw)
	if region == "" || region == "ZZ" {
		// Without a country the number must be international; WAREST's clients write
		// digits without the plus.
		region = "ZZ"
		if !strings.HasPrefix(raw, "+") {
			raw = "+" + strings.TrimPrefix(raw, "00")
		}
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ports.PhoneNumber{}, fault.Invalid(fault.ReasonInvalidParameter, "%q is not a possible phone number", raw)
	}
	digits := strings.TrimPrefix(phonenumbers.Format(n, phonenumbers.E164), "+")
	return ports.PhoneNumber{Digits: digits, Region: phonenumbers.GetRegionCodeForNumber(n)}, nil
}

// Region is the ISO country of international digits, "" when unknown.
func (Plan) Region(digits string) string {
	n, err := phonenumbers.Parse("+"+digits, "ZZ")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}
