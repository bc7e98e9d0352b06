package message_test

import (
	"testing"

	"github.com/warest-go/warest/domain/message"
)

func TestCardVCard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		card message.Card
		want string
	}{
		{"every field", message.Card{FullName: "Budi Santoso", Org: "ACME", Phone: "6281234567890", Email: "budi@example.com"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi Santoso\nORG:ACME;\nTEL;type=CELL;type=VOICE;waid=6281234567890:+6281234567890\nEMAIL:budi@example.com\nEND:VCARD"},
		{"name and phone only", message.Card{FullName: "Budi", Phone: "6281234567890"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;type=CELL;type=VOICE;waid=6281234567890:+6281234567890\nEND:VCARD"},
		{"display name stands in for the full name", message.Card{DisplayName: "Budi", Phone: "62812"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;type=CELL;type=VOICE;waid=62812:+62812\nEND:VCARD"},
		{"the full name wins for FN", message.Card{DisplayName: "Budi", FullName: "Budi Santoso", Phone: "62812"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi Santoso\nTEL;type=CELL;type=VOICE;waid=62812:+62812\nEND:VCARD"},
		{"no phone digits, no TEL", message.Card{FullName: "Budi", Phone: "n/a"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nEND:VCARD"},
		{"phone punctuation is dropped", message.Card{FullName: "Budi", Phone: "+62 812-345\nX"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;type=CELL;type=VOICE;waid=62812345:+62812345\nEND:VCARD"},
		{"text is escaped, no field can be injected", message.Card{FullName: "Doe, John; Jr\\\nTEL:+1", Org: "A;B\r\nC", Phone: "62812"},
			"BEGIN:VCARD\nVERSION:3.0\nFN:Doe\\, John\\; Jr\\\\\\nTEL:+1\nORG:A\\;B\\nC;\nTEL;type=CELL;type=VOICE;waid=62812:+62812\nEND:VCARD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.card.VCard(); got != tt.want {
				t.Fatalf("VCard():\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestCardContact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		card message.Card
		want string
	}{
		{"display name shown", message.Card{DisplayName: "Budi", FullName: "Budi Santoso", Phone: "62812"}, "Budi"},
		{"full name when no display name", message.Card{FullName: "Budi Santoso", Phone: "62812"}, "Budi Santoso"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.card.Contact()
			if c.DisplayName != tt.want || c.VCard != tt.card.VCard() {
				t.Fatalf("Contact() = %+v, want name %q and the card's vCard", c, tt.want)
			}
			ct := message.Content{Kind: message.KindContact, Contacts: []message.Contact{c}}
			if err := ct.Validate(); err != nil {
				t.Fatalf("the contact does not validate: %v", err)
			}
		})
	}
}
