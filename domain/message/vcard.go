package message

import "strings"

// Card is a contact shared as a vCard.
type Card struct {
	DisplayName string // the name the message shows; FullName when empty
	FullName    string // the card's FN; DisplayName when empty
	Org         string
	Phone       string // international digits, country code first; other runes are dropped
	Email       string
}

// Contact renders the card as message content's contact.
func (c Card) Contact() Contact {
	name := c.DisplayName
	if name == "" {
		name = c.FullName
	}
	return Contact{DisplayName: name, VCard: c.VCard()}
}

// VCard renders the card as WAREST's vCard 3.0: FN, ORG, the TEL whose waid lets
// WhatsApp clients offer "Message" on the card, EMAIL. Values are escaped (RFC 2426
// §5) so a name cannot add lines or fields; lines end in LF as WhatsApp's own cards do.
func (c Card) VCard() string {
	fn := c.FullName
	if fn == "" {
		fn = c.DisplayName
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCARD\nVERSION:3.0\nFN:" + vcardText(fn) + "\n")
	if c.Org != "" {
		b.WriteString("ORG:" + vcardText(c.Org) + ";\n")
	}
	if digits := onlyDigits(c.Phone); digits != "" {
		b.WriteString("TEL;type=CELL;type=VOICE;waid=" + digits + ":+" + digits + "\n")
	}
	if c.Email != "" {
		b.WriteString("EMAIL:" + vcardText(c.Email) + "\n")
	}
	b.WriteString("END:VCARD")
	return b.String()
}

var vcardEscaper = strings.NewReplacer(`\`, `\\`, ",", `\,`, ";", `\;`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func vcardText(s string) string { return vcardEscaper.Replace(s) }

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
