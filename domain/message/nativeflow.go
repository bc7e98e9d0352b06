package message

import (
	"bytes"
	"encoding/json"
	"strings"
)

// WhatsApp's native-flow interactive messages carry each button as a name and a JSON
// parameter string. These are the names and parameters for buttons and lists, shared
// by the transport (which builds the protobuf) and the webhook renderer (which shows
// the same message to receivers).

// Native-flow button names.
const (
	FlowQuickReply   = "quick_reply"
	FlowURL          = "cta_url"
	FlowCall         = "cta_call"
	FlowCopy         = "cta_copy"
	FlowSingleSelect = "single_select"
)

type flowButtonParams struct {
	DisplayText string `json:"display_text"`
	ID          string `json:"id,omitempty"`
	URL         string `json:"url,omitempty"`
	MerchantURL string `json:"merchant_url,omitempty"`
	PhoneNumber string `json:"phone_number,omitempty"`
	CopyCode    string `json:"copy_code,omitempty"`
}

type flowRow struct {
	Header      string `json:"header,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	ID          string `json:"id"`
}

type flowSection struct {
	Title string    `json:"title"`
	Rows  []flowRow `json:"rows"`
}

type flowSelectParams struct {
	Title    string        `json:"title"`
	Sections []flowSection `json:"sections"`
}

// NativeFlow returns the button's native-flow name and parameters.
func (b Button) NativeFlow() (name, params string) {
	p := flowButtonParams{DisplayText: b.Text, ID: b.ID}
	switch b.Kind {
	case ButtonURL:
		name, p.URL, p.MerchantURL = FlowURL, b.URL, b.URL
	case ButtonCall:
		name, p.PhoneNumber = FlowCall, b.Phone
	case ButtonCopy:
		name, p.CopyCode = FlowCopy, b.CopyCode
	default:
		name = FlowQuickReply
	}
	return name, compactJSON(p)
}

// NativeFlow returns the list as a single_select button's parameters: the button
// text as its title and the sections with their rows.
func (l List) NativeFlow() (name, params string) {
	p := flowSelectParams{Title: l.ButtonText, Sections: make([]flowSection, len(l.Sections))}
	for i, s := range l.Sections {
		p.Sections[i] = flowSection{Title: s.Title, Rows: make([]flowRow, len(s.Rows))}
		for j, r := range s.Rows {
			p.Sections[i].Rows[j] = flowRow{Title: r.Title, Description: r.Description, ID: r.ID}
		}
	}
	return FlowSingleSelect, compactJSON(p)
}

// ButtonFromNativeFlow reads a native-flow button back; ok is false for names that
// are not buttons we model (single_select, payment flows and others).
func ButtonFromNativeFlow(name, params string) (Button, bool) {
	var p flowButtonParams
	_ = json.Unmarshal([]byte(params), &p) // a malformed parameter string leaves a button without fields
	b := Button{ID: p.ID, Text: p.DisplayText}
	switch strings.ToLower(name) {
	case FlowQuickReply:
		b.Kind = ButtonReply
	case FlowURL:
		b.Kind, b.URL = ButtonURL, p.URL
		if b.URL == "" {
			b.URL = p.MerchantURL
		}
	case FlowCall:
		b.Kind, b.Phone = ButtonCall, p.PhoneNumber
	case FlowCopy:
		b.Kind, b.CopyCode = ButtonCopy, p.CopyCode
	default:
		return Button{}, false
	}
	return b, true
}

// ListFromNativeFlow reads single_select parameters back into the button text and
// sections of a list.
func ListFromNativeFlow(params string) (buttonText string, sections []ListSection) {
	var p flowSelectParams
	_ = json.Unmarshal([]byte(params), &p)
	for _, s := range p.Sections {
		sec := ListSection{Title: s.Title}
		for _, r := range s.Rows {
			sec.Rows = append(sec.Rows, ListRow{ID: r.ID, Title: r.Title, Description: r.Description})
		}
		sections = append(sections, sec)
	}
	return p.Title, sections
}

// compactJSON encodes v without HTML escaping (WhatsApp shows the strings as typed).
func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // plain structs of strings always encode
	return strings.TrimSuffix(buf.String(), "\n")
}
