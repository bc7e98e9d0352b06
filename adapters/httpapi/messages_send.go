package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

// The JSON send routes: text, contact, location, poll, button and list. Their use
// cases count the request's limits (sendLimitMiddleware).
func (h *handlers) registerSendRoutes() {
	p := "/api/v1/messages/send/"
	send := func(id, method, path, summary string) route {
		r := sendRoute(id, method, p+path, summary)
		r.countedBySend = true
		return r
	}
	register(h, send("postMessagesSendText", http.MethodPost, "text", "Send a text message to one or more recipients"), h.sendTextPOST)
	register(h, send("getMessagesSendText", http.MethodGet, "text", "Send a text message (GET form, for manual testing)"), h.sendTextGET)
	register(h, send("postMessagesSendContact", http.MethodPost, "contact", "Send a contact card (vCard 3.0)"), h.sendContact)
	register(h, send("postMessagesSendLocation", http.MethodPost, "location", "Share a location pin"), h.sendLocation)
	register(h, send("postMessagesSendPoll", http.MethodPost, "poll", "Send a poll"), h.sendPoll)
	register(h, send("postMessagesSendButton", http.MethodPost, "button",
		"Send buttons (quick reply, URL, call, copy) as a native-flow interactive message (best effort: not every client renders them)"), h.sendButton)
	register(h, send("postMessagesSendList", http.MethodPost, "list",
		"Send a list menu as a native-flow single_select (best effort, as buttons)"), h.sendList)
}

// send runs a prepared send and renders it.
func (h *handlers) send(ctx context.Context, title string, in command.SendInput, more extras) (*sendResponse, error) {
	results, st, err := h.cmd.Sending.SendCounted(ctx, principal(ctx), in)
	counted(ctx, st)
	if err != nil {
		return nil, err
	}
	return renderSend(title, results, more), nil
}

type sendTextBody struct {
	_ struct{} `additionalProperties:"true"`
	SendOptions
	Message string `json:"message,omitempty" example:"Hello" doc:"<b>/<strong>, <i>/<em>, <s>/<del> and <code> become WhatsApp formatting, other tags are removed, [url] loses its brackets; @ and 6 to 20 digits mention that number"`
	Text    string `json:"text,omitempty" hidden:"true"`
}

type sendTextPOSTInput struct {
	SessionSelector
	SendHeaders
	Body sendTextBody
}

type sendTextGETInput struct {
	SessionSelector
	SendHeaders
	Phone          string `query:"phone"`
	To             string `query:"to" doc:"recipients separated by , ; or newlines (aliases: jid, target, number)"`
	JID            string `query:"jid" hidden:"true"`
	Target         string `query:"target" hidden:"true"`
	Number         string `query:"number" hidden:"true"`
	Message        string `query:"message"`
	Text           string `query:"text" hidden:"true"`
	ReplyMessageID string `query:"replyMessageId"`
	IsForwarded    bool   `query:"isForwarded"`
	Presence       string `query:"presence"`
}

// textContent makes the send/text message: WAREST's normalisation (this route only:
// other routes send their text as given), then the "@<6–20 digits>" mentions it
// detects in the normalised text.
func textContent(in *command.SendInput, raw string) []string {
	text := message.NormalizeText(raw)
	in.Content.Kind, in.Content.Text = message.KindText, text
	mentions := []string{}
	for _, digits := range message.MentionedNumbers(text) {
		j := chat.UserJID(digits)
		in.Content.Mentions = append(in.Content.Mentions, j)
		mentions = append(mentions, j.String())
	}
	return mentions
}

func (h *handlers) sendTextPOST(ctx context.Context, in *sendTextPOSTInput) (*sendResponse, error) {
	b := in.Body
	send := b.input(in.SessionSelector, in.SendHeaders, false, b)
	mentions := textContent(&send, firstOf(b.Message, b.Text))
	return h.send(ctx, "Text", send, func(command.SendResult) map[string]any { return map[string]any{"mentions": mentions} })
}

func (h *handlers) sendTextGET(ctx context.Context, in *sendTextGETInput) (*sendResponse, error) {
	o := SendOptions{Phone: in.Phone, ReplyMessageID: in.ReplyMessageID, IsForwarded: in.IsForwarded, Presence: Presence(in.Presence)}
	if v := firstOf(in.To, in.JID, in.Target, in.Number); v != "" {
		o.To = Recipients{v}
	}
	send := o.input(in.SessionSelector, in.SendHeaders, false, in)
	mentions := textContent(&send, firstOf(in.Message, in.Text))
	return h.send(ctx, "Text", send, func(command.SendResult) map[string]any { return map[string]any{"mentions": mentions} })
}

type contactCard struct {
	Name         string `json:"name,omitempty"`
	FullName     string `json:"fullName,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Organization string `json:"organization,omitempty"`
	Email        string `json:"email,omitempty"`
}

type sendContactInput struct {
	SessionSelector
	SendHeaders
	Body struct {
		_ struct{} `additionalProperties:"true"`
		SendOptions
		Contact      *contactCard `json:"contact,omitempty" doc:"the card; without it the flat fields are used, and flat phone is the contact's number"`
		Name         string       `json:"name,omitempty"`
		FullName     string       `json:"fullName,omitempty"`
		Organization string       `json:"organization,omitempty"`
		Email        string       `json:"email,omitempty"`
	}
}

func (h *handlers) sendContact(ctx context.Context, in *sendContactInput) (*sendResponse, error) {
	b := in.Body
	opts := b.SendOptions
	card := contactCard{Name: b.Name, FullName: b.FullName, Organization: b.Organization, Email: b.Email}
	if b.Contact != nil {
		card = *b.Contact
	} else {
		// WAREST's flat form: phone is the contact's number, so the session needs sessionId.
		card.Phone, opts.Phone = opts.Phone, ""
	}
	if firstOf(card.Name, card.FullName) == "" || card.Phone == "" {
		return nil, fault.Invalid(fault.ReasonMissingParameter, "contact name and phone are required")
	}
	send := opts.input(in.SessionSelector, in.SendHeaders, false, b)
	contact := message.Card{DisplayName: card.Name, FullName: card.FullName, Org: card.Organization,
		Phone: h.cmd.Sending.Phone(card.Phone), Email: card.Email}.Contact()
	send.Content.Kind = message.KindContact
	send.Content.Contacts = []message.Contact{contact}
	return h.send(ctx, "Contact", send, func(command.SendResult) map[string]any { return map[string]any{"displayName": contact.DisplayName} })
}

type sendLocationInput struct {
	SessionSelector
	SendHeaders
	Body struct {
		_ struct{} `additionalProperties:"true"`
		SendOptions
		Location  any      `json:"location,omitempty" doc:"{latitude|lat, longitude|lng, name, address}, [lat, lng] or \"lat,lng\""`
		Latitude  *float64 `json:"latitude,omitempty"`
		Longitude *float64 `json:"longitude,omitempty"`
		Lat       *float64 `json:"lat,omitempty" hidden:"true"`
		Lng       *float64 `json:"lng,omitempty" hidden:"true"`
		Name      string   `json:"name,omitempty"`
		Address   string   `json:"address,omitempty"`
	}
}

// parseLocation reads WAREST's location forms.
func parseLocation(v any) (message.Location, bool) {
	num := func(x any) (float64, bool) {
		switch n := x.(type) {
		case float64:
			return n, true
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			return f, err == nil
		}
		return 0, false
	}
	switch l := v.(type) {
	case map[string]any:
		lat, ok1 := num(firstAny(l["latitude"], l["lat"]))
		lng, ok2 := num(firstAny(l["longitude"], l["lng"]))
		name, _ := l["name"].(string)
		addr, _ := l["address"].(string)
		return message.Location{Latitude: lat, Longitude: lng, Name: name, Address: addr}, ok1 && ok2
	case []any:
		if len(l) != 2 {
			return message.Location{}, false
		}
		lat, ok1 := num(l[0])
		lng, ok2 := num(l[1])
		return message.Location{Latitude: lat, Longitude: lng}, ok1 && ok2
	case string:
		a, b, ok := strings.Cut(l, ",")
		lat, ok1 := num(a)
		lng, ok2 := num(b)
		return message.Location{Latitude: lat, Longitude: lng}, ok && ok1 && ok2
	}
	return message.Location{}, false
}

func firstAny(vs ...any) any {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

func (h *handlers) sendLocation(ctx context.Context, in *sendLocationInput) (*sendResponse, error) {
	b := in.Body
	var loc message.Location
	ok := false
	switch {
	case b.Location != nil:
		loc, ok = parseLocation(b.Location)
	case b.Latitude != nil || b.Lat != nil:
		lat, lng := b.Latitude, b.Longitude
		if lat == nil {
			lat, lng = b.Lat, b.Lng
		}
		if lng == nil {
			lng = b.Lng
		}
		ok = lat != nil && lng != nil
		if ok {
			loc = message.Location{Latitude: *lat, Longitude: *lng}
		}
	}
	if loc.Name == "" {
		loc.Name = b.Name
	}
	if loc.Address == "" {
		loc.Address = b.Address
	}
	if !ok || loc.Latitude < -90 || loc.Latitude > 90 || loc.Longitude < -180 || loc.Longitude > 180 {
		return nil, fault.Invalid(fault.ReasonLocationInvalid, "location needs a latitude within ±90 and a longitude within ±180")
	}
	send := b.input(in.SessionSelector, in.SendHeaders, false, b)
	send.Content.Kind, send.Content.Location = message.KindLocation, &loc
	return h.send(ctx, "Location", send, func(command.SendResult) map[string]any {
		return map[string]any{"location": map[string]any{"degreesLatitude": loc.Latitude, "degreesLongitude": loc.Longitude,
			"name": loc.Name, "address": loc.Address}}
	})
}

// stringList reads an array of strings or a comma-separated string.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var many []any
	if err := json.Unmarshal(b, &many); err == nil {
		for _, v := range many {
			*l = append(*l, strings.TrimSpace(fmt.Sprint(v)))
		}
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return fmt.Errorf("must be an array or a comma-separated string")
	}
	for _, s := range strings.Split(one, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func (stringList) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{OneOf: []*huma.Schema{{Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeString}}, {Type: huma.TypeString}}}
}

// stringOrObjects documents a list whose items are strings or objects.
func stringOrObjects(desc string) *huma.Schema {
	return &huma.Schema{Type: huma.TypeArray, Description: desc,
		Items: &huma.Schema{OneOf: []*huma.Schema{{Type: huma.TypeString}, {Type: huma.TypeObject, AdditionalProperties: true}}}}
}

type pollFields struct {
	Question        string     `json:"question,omitempty"`
	Name            string     `json:"name,omitempty" hidden:"true"`
	Options         stringList `json:"options,omitempty" doc:"array, or a comma-separated string"`
	MaxSelection    int        `json:"maxSelection,omitempty" doc:"clamped to 1..number of options"`
	SelectableCount int        `json:"selectableCount,omitempty" hidden:"true"`
}

type sendPollInput struct {
	SessionSelector
	SendHeaders
	Body struct {
		_ struct{} `additionalProperties:"true"`
		SendOptions
		pollFields
		Poll *pollFields `json:"poll,omitempty" hidden:"true"`
	}
}

func (h *handlers) sendPoll(ctx context.Context, in *sendPollInput) (*sendResponse, error) {
	b := in.Body
	f := b.pollFields
	if b.Poll != nil {
		f = *b.Poll
	}
	q := firstOf(f.Question, f.Name)
	if q == "" || len(f.Options) < message.MinPollOptions || len(f.Options) > message.MaxPollOptions {
		return nil, fault.Invalid(fault.ReasonPollInvalid, "a poll needs a question and %d to %d options", message.MinPollOptions, message.MaxPollOptions)
	}
	maxSel := max(f.MaxSelection, f.SelectableCount)
	maxSel = min(max(maxSel, 1), len(f.Options))
	send := b.input(in.SessionSelector, in.SendHeaders, false, b)
	send.Content.Kind = message.KindPoll
	send.Content.Poll = &message.Poll{Question: q, Options: f.Options, SelectableCount: maxSel}
	return h.send(ctx, "Poll", send, func(command.SendResult) map[string]any {
		return map[string]any{"question": q, "options": f.Options, "maxSelection": maxSel}
	})
}

type buttonIn struct {
	Type        string `json:"type,omitempty" enum:"reply,quick_reply,url,cta_url,call,cta_call,copy,cta_copy"`
	ID          string `json:"id,omitempty"`
	Text        string `json:"text,omitempty"`
	DisplayText string `json:"displayText,omitempty"`
	URL         string `json:"url,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Phone       string `json:"phone,omitempty"`
	CopyCode    string `json:"copyCode,omitempty"`
}

// buttonList is a list of buttons, each a string or an object.
type buttonList []buttonIn

func (l *buttonList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("buttons must be an array")
	}
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			*l = append(*l, buttonIn{Text: s})
			continue
		}
		var bt buttonIn
		if err := json.Unmarshal(r, &bt); err != nil {
			return fmt.Errorf("each button is a string or an object")
		}
		*l = append(*l, bt)
	}
	return nil
}

func (buttonList) Schema(huma.Registry) *huma.Schema {
	return stringOrObjects("each a text (a quick reply), or {type, text|displayText, id, url, phoneNumber|phone, copyCode}: " +
		"type reply|quick_reply (needs id), url|cta_url (needs an http(s) url), call|cta_call (needs phoneNumber), copy|cta_copy (needs copyCode)")
}

// toButton reads one button; a reply without an id gets btn_<position>.
func (bt buttonIn) toButton(i int) (message.Button, error) {
	kind, ok := message.ParseButtonKind(bt.Type)
	if !ok {
		return message.Button{}, fmt.Errorf("button %d: type %q is not one of reply, quick_reply, url, cta_url, call, cta_call, copy, cta_copy", i+1, bt.Type)
	}
	b := message.Button{Kind: kind, ID: bt.ID, Text: firstOf(bt.DisplayText, bt.Text)}
	switch kind {
	case message.ButtonReply:
		b.ID = firstOf(bt.ID, "btn_"+strconv.Itoa(i+1))
	case message.ButtonURL:
		b.URL = strings.TrimSpace(bt.URL)
	case message.ButtonCall:
		b.Phone = strings.TrimSpace(firstOf(bt.PhoneNumber, bt.Phone))
	case message.ButtonCopy:
		b.CopyCode = bt.CopyCode
	}
	return b, nil
}

type sendButtonInput struct {
	SessionSelector
	SendHeaders
	Body struct {
		_ struct{} `additionalProperties:"true"`
		SendOptions
		Text    string     `json:"text,omitempty"`
		Message string     `json:"message,omitempty" hidden:"true"`
		Footer  string     `json:"footer,omitempty"`
		Image   string     `json:"image,omitempty" doc:"header image: an http(s) URL (fetched like the media routes), a data URI or base64"`
		Buttons buttonList `json:"buttons,omitempty"`
	}
}

// sendButton sends a native-flow interactive message (best effort: WhatsApp may
// not render it on every client). Bad buttons are refused with 400/3010.
func (h *handlers) sendButton(ctx context.Context, in *sendButtonInput) (*sendResponse, error) {
	b := in.Body
	if len(b.Buttons) == 0 || len(b.Buttons) > message.MaxButtons {
		return nil, fault.Invalid(fault.ReasonButtonsInvalid, "1 to %d buttons are required", message.MaxButtons)
	}
	buttons := make([]message.Button, len(b.Buttons))
	for i, bt := range b.Buttons {
		btn, err := bt.toButton(i)
		if err != nil {
			return nil, fault.Invalid(fault.ReasonButtonsInvalid, "%s", err)
		}
		buttons[i] = btn
	}
	c := message.Content{Kind: message.KindButtons, Text: firstOf(b.Text, b.Message), Buttons: &message.Buttons{Footer: b.Footer, Buttons: buttons}}
	if err := c.Validate(); err != nil {
		return nil, fault.Invalid(fault.ReasonButtonsInvalid, "%s", err)
	}
	send := b.input(in.SessionSelector, in.SendHeaders, false, b)
	c.Forwarded, c.Reply = send.Content.Forwarded, send.Content.Reply
	send.Content = c
	return h.sendInteractive(ctx, "Interactive button", send, b.Image, func(command.SendResult) map[string]any {
		return map[string]any{"buttonCount": len(buttons)}
	})
}

// sendInteractive sends buttons or a list, with the header image when one is given.
func (h *handlers) sendInteractive(ctx context.Context, title string, send command.SendInput, image string, more extras) (*sendResponse, error) {
	image = strings.TrimSpace(image)
	withImage := func(r command.SendResult) map[string]any {
		out := more(r)
		out["headerImage"] = image != ""
		return out
	}
	if image == "" {
		return h.send(ctx, title, send, withImage)
	}
	src, err := sourceOf(image)
	if err != nil {
		return nil, err
	}
	results, st, err := h.cmd.Sending.SendWithHeaderImage(ctx, principal(ctx), send, src)
	counted(ctx, st)
	if err != nil {
		return nil, err
	}
	return renderSend(title, results, withImage), nil
}

type listRowIn struct {
	ID          string `json:"id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// listRows are rows, each an object or a string (id = title).
type listRows []listRowIn

func (l *listRows) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("rows must be an array")
	}
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			*l = append(*l, listRowIn{ID: s, Title: s})
			continue
		}
		var row listRowIn
		if err := json.Unmarshal(r, &row); err != nil {
			return fmt.Errorf("each row is a string or an object")
		}
		*l = append(*l, row)
	}
	return nil
}

func (listRows) Schema(huma.Registry) *huma.Schema {
	return stringOrObjects("each a title, or {id, title, description}")
}

type listSectionIn struct {
	Title string   `json:"title,omitempty"`
	Rows  listRows `json:"rows,omitempty"`
}

type listIn struct {
	Image      string          `json:"image,omitempty"`
	ButtonText string          `json:"buttonText,omitempty"`
	Title      string          `json:"title,omitempty"`
	Text       string          `json:"text,omitempty"`
	Footer     string          `json:"footer,omitempty"`
	Sections   []listSectionIn `json:"sections,omitempty"`
}

type sendListInput struct {
	SessionSelector
	SendHeaders
	Body struct {
		_ struct{} `additionalProperties:"true"`
		SendOptions
		Lists      []listSectionIn `json:"lists,omitempty"`
		List       *listIn         `json:"list,omitempty"`
		Image      string          `json:"image,omitempty" doc:"header image: an http(s) URL (fetched like the media routes), a data URI or base64"`
		Text       string          `json:"text,omitempty"`
		Message    string          `json:"message,omitempty"`
		Title      string          `json:"title,omitempty"`
		Footer     string          `json:"footer,omitempty"`
		ButtonText string          `json:"buttonText,omitempty"`
		Sections   []listSectionIn `json:"sections,omitempty"`
	}
}

func (h *handlers) sendList(ctx context.Context, in *sendListInput) (*sendResponse, error) {
	b := in.Body
	l := listIn{Image: b.Image, ButtonText: b.ButtonText, Title: b.Title, Text: firstOf(b.Text, b.Message), Footer: b.Footer, Sections: b.Sections}
	if len(b.Lists) > 0 {
		l.Sections = b.Lists
	}
	if b.List != nil {
		l = *b.List
		l.Text = firstOf(l.Text, b.Text, b.Message)
		l.Image = firstOf(l.Image, b.Image)
	}
	l.ButtonText = firstOf(l.ButtonText, "Open")
	text := firstOf(l.Text, l.Title)
	sections := make([]message.ListSection, len(l.Sections))
	rows := 0
	for i, s := range l.Sections {
		sections[i] = message.ListSection{Title: s.Title}
		for _, r := range s.Rows {
			sections[i].Rows = append(sections[i].Rows, message.ListRow{ID: firstOf(r.ID, r.Title), Title: r.Title, Description: r.Description})
			rows++
		}
	}
	c := message.Content{Kind: message.KindList, Text: text,
		List: &message.List{Title: l.Title, Footer: l.Footer, ButtonText: l.ButtonText, Sections: sections}}
	if err := c.Validate(); err != nil {
		return nil, fault.Invalid(fault.ReasonListInvalid, "%s", err)
	}
	send := b.input(in.SessionSelector, in.SendHeaders, false, b)
	c.Forwarded, c.Reply = send.Content.Forwarded, send.Content.Reply
	send.Content = c
	return h.sendInteractive(ctx, "Interactive list", send, l.Image, func(command.SendResult) map[string]any {
		return map[string]any{"sectionCount": len(sections), "rowCount": rows}
	})
}
