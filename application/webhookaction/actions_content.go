package webhookaction

import (
	"errors"
	"fmt"
	"strings"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/webhook"
)

// contentOf turns a sending action (including react, edit and revoke, which are
// messages too) into message content; addresses reduce a card's phone to digits.
func contentOf(act webhook.Action, addresses chat.Normalizer) (message.Content, error) {
	switch act.Kind {
	case webhook.ActText:
		c := message.TextContent(act.String("text", "message"))
		c.Mentions = mentions(act.Fields["mentions"])
		return c, nil
	case webhook.ActLocation:
		lat, ok1 := act.Number("lat", "latitude")
		lng, ok2 := act.Number("lng", "longitude")
		if !ok1 || !ok2 {
			return message.Content{}, errors.New("location needs lat and lng")
		}
		return message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: lat, Longitude: lng,
			Name: act.String("name"), Address: act.String("address")}}, nil
	case webhook.ActVCard:
		return vcard(act, addresses)
	case webhook.ActPoll, webhook.ActForward, webhook.ActRaw:
		return rawContent(act.Fields["message"], act)
	case webhook.ActButton:
		return buttons(act)
	case webhook.ActList:
		return list(act)
	case webhook.ActReact, webhook.ActRevoke, webhook.ActEdit:
		ref, err := reference(act.Fields["key"])
		if err != nil {
			return message.Content{}, err
		}
		c := message.Content{Target: &ref}
		switch act.Kind {
		case webhook.ActReact:
			c.Kind, c.Emoji = message.KindReaction, act.String("emoji", "text", "reaction")
		case webhook.ActRevoke:
			c.Kind = message.KindRevoke
		default:
			c.Kind, c.Text = message.KindEdit, act.String("text", "message")
		}
		return c, nil
	}
	return message.Content{}, fmt.Errorf("%s is not a sending action", act.Kind)
}

func mentions(v any) []chat.JID {
	list, _ := v.([]any)
	var out []chat.JID
	for _, m := range list {
		s := webhook.Stringify(m)
		if !strings.Contains(s, "@") {
			s += "@" + chat.ServerUser
		}
		if j, err := chat.ParseJID(s); err == nil {
			out = append(out, j)
		}
	}
	return out
}

func vcard(act webhook.Action, addresses chat.Normalizer) (message.Content, error) {
	ct, _ := act.Fields["contact"].(map[string]any)
	name := webhook.Stringify(ct["fullName"])
	phone := webhook.Stringify(ct["phone"])
	if name == "" || phone == "" {
		return message.Content{}, errors.New("vcard needs contact.fullName and contact.phone")
	}
	card := message.Card{FullName: name, Org: webhook.Stringify(ct["org"]), Phone: addresses.Phone(phone), Email: webhook.Stringify(ct["email"])}
	return message.Content{Kind: message.KindContact, Contacts: []message.Contact{card.Contact()}}, nil
}

// rawContent maps the common shapes of a WhatsApp Web content object ({text},
// {location}, {poll}, {contacts}) to message content.
func rawContent(v any, act webhook.Action) (message.Content, error) {
	m, _ := v.(map[string]any)
	if m == nil && act.Kind == webhook.ActPoll {
		m = act.Fields
	}
	switch {
	case m == nil:
		return message.Content{}, errors.New("message (a content object) is required")
	case m["text"] != nil || m["conversation"] != nil:
		text := webhook.Stringify(m["text"])
		if text == "" {
			text = webhook.Stringify(m["conversation"])
		}
		c := message.TextContent(text)
		c.Forwarded = act.Kind == webhook.ActForward
		return c, nil
	case m["poll"] != nil || m["values"] != nil || m["options"] != nil:
		p, _ := m["poll"].(map[string]any)
		if p == nil {
			p = m
		}
		var opts []string
		for _, o := range asList(p["values"], p["options"]) {
			opts = append(opts, webhook.Stringify(o))
		}
		sel, _ := p["selectableCount"].(float64)
		return message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: webhook.Stringify(p["name"]),
			Options: opts, SelectableCount: int(sel)}}, nil
	case m["location"] != nil:
		l, _ := m["location"].(map[string]any)
		lat, _ := l["degreesLatitude"].(float64)
		lng, _ := l["degreesLongitude"].(float64)
		return message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: lat, Longitude: lng,
			Name: webhook.Stringify(l["name"]), Address: webhook.Stringify(l["address"])}}, nil
	}
	return message.Content{}, errors.New("this content object is not supported")
}

func asList(vs ...any) []any {
	for _, v := range vs {
		if l, ok := v.([]any); ok {
			return l
		}
	}
	return nil
}

func buttons(act webhook.Action) (message.Content, error) {
	var bs []message.Button
	for i, raw := range asList(act.Fields["buttons"]) {
		b, _ := raw.(map[string]any)
		id := webhook.Stringify(b["id"])
		if id == "" {
			id = fmt.Sprintf("btn-%d", i+1)
		}
		text := webhook.Stringify(b["text"])
		if text == "" {
			text = webhook.Stringify(b["displayText"])
		}
		kind, ok := message.ParseButtonKind(firstString(b, "type", "Btype"))
		if !ok {
			return message.Content{}, fmt.Errorf("button %d: unknown type %q", i+1, firstString(b, "type", "Btype"))
		}
		bs = append(bs, message.Button{Kind: kind, ID: id, Text: text, URL: webhook.Stringify(b["url"]),
			Phone: firstString(b, "phoneNumber", "phone"), CopyCode: webhook.Stringify(b["copyCode"])})
	}
	return message.Content{Kind: message.KindButtons, Text: act.String("text"),
		Buttons: &message.Buttons{Footer: act.String("footer"), Buttons: bs}}, nil
}

func list(act webhook.Action) (message.Content, error) {
	var sections []message.ListSection
	for _, raw := range asList(act.Fields["sections"], act.Fields["lists"], act.Fields["list"]) {
		s, _ := raw.(map[string]any)
		sec := message.ListSection{Title: webhook.Stringify(s["title"])}
		for _, rr := range asList(s["rows"]) {
			row, _ := rr.(map[string]any)
			id := webhook.Stringify(row["id"])
			if id == "" {
				id = webhook.Stringify(row["rowId"])
			}
			sec.Rows = append(sec.Rows, message.ListRow{ID: id, Title: webhook.Stringify(row["title"]),
				Description: webhook.Stringify(row["description"])})
		}
		sections = append(sections, sec)
	}
	return message.Content{Kind: message.KindList, Text: act.String("text"), List: &message.List{Title: act.String("title"),
		Footer: act.String("footer"), ButtonText: act.String("buttonText"), Sections: sections}}, nil
}

// mediaOf reads a media, document or sticker action: a URL the gateway fetches and
// converts as the media routes do. WAREST sends action audio as a voice note and
// a gif as a looping video.
func mediaOf(act webhook.Action) (command.SendMediaInput, bool) {
	in := command.SendMediaInput{Caption: act.String("caption"), FileName: act.String("filename", "fileName"), Compress: true}
	switch act.Kind {
	case webhook.ActMedia:
		in.Source.URL = act.String("url")
		switch strings.ToLower(act.String("mediaType", "mediatype")) {
		case "gif":
			in.Route = command.RouteGIF
		case "audio":
			in.Route, in.VoiceNote = command.RouteAudio, true
		default:
			in.Route = command.RouteMedia
		}
	case webhook.ActDocument:
		in.Route, in.Source.URL = command.RouteDocument, act.String("url")
	case webhook.ActSticker:
		in.Route, in.Source.URL = command.RouteSticker, act.String("webpUrl", "imageUrl", "url")
	default:
		return command.SendMediaInput{}, false
	}
	return in, true
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := webhook.Stringify(m[k]); s != "" {
			return s
		}
	}
	return ""
}
