package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A contact card is the same vCard whether a client sends it over HTTP or a webhook
// receiver answers with a vcard response action: one builder, one phone rule.
func TestVCardIsTheSameOverHTTPAndFromAResponseAction(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"WAREST_WEBHOOK_ACTIONS_DELAY_MS": "0"})
	key := openShop(t, s, "vcard")
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"actions":[{"type":"vcard","contact":{"fullName":"John Doe","phone":"0811-2345-678","org":"Acme, Inc","email":"john@example.com"}}]}`)
	}))
	t.Cleanup(receiver.Close)
	subscribe(t, s, key, receiver.URL)
	inbound(t, s, key, "card please")

	if status, env := s.call("POST", "/api/v1/messages/send/contact", key, map[string]any{"sessionId": "shop", "to": "6281300000003",
		"contact": map[string]any{"fullName": "John Doe", "phone": "0811-2345-678", "organization": "Acme, Inc", "email": "john@example.com"}}); status != 200 {
		t.Fatalf("send/contact: %d %+v", status, env)
	}

	const want = "BEGIN:VCARD\nVERSION:3.0\nFN:John Doe\nORG:Acme\\, Inc;\nTEL;type=CELL;type=VOICE;waid=628112345678:+628112345678\nEMAIL:john@example.com\nEND:VCARD"
	var cards []string
	eventually(t, "two contact cards sent", func() bool {
		_, env := s.call("GET", "/api/v1/sandbox/sessions/shop/sent", key, nil)
		cards = cards[:0]
		for _, r := range env.Results {
			var m struct {
				Kind   string   `json:"kind"`
				To     string   `json:"to"`
				VCards []string `json:"vcards"`
			}
			if err := json.Unmarshal(r, &m); err != nil {
				t.Fatal(err)
			}
			if m.Kind == "contact" && m.To == "6281300000003@s.whatsapp.net" {
				cards = append(cards, m.VCards...)
			}
		}
		return len(cards) == 2
	})
	for i, c := range cards {
		if c != want {
			t.Errorf("card %d:\n%q\nwant\n%q", i, c, want)
		}
	}
}
