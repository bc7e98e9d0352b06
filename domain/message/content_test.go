package message_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

// Builders of valid outbound contents; each validation case breaks one thing.

func media(kind message.Kind) message.Content {
	return message.Content{Kind: kind, Media: &message.Media{BlobKey: "blob/1", MIME: "application/octet-stream"}}
}

func location(lat, lon float64) message.Content {
	return message.Content{Kind: message.KindLocation, Location: &message.Location{Latitude: lat, Longitude: lon}}
}

const vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;waid=6281234567890:+62 812-3456-7890\nEND:VCARD"

func contacts(cs ...message.Contact) message.Content {
	return message.Content{Kind: message.KindContact, Contacts: cs}
}

func options(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("option %d", i+1)
	}
	return out
}

func poll(question string, opts []string, selectable int) message.Content {
	return message.Content{Kind: message.KindPoll, Poll: &message.Poll{Question: question, Options: opts, SelectableCount: selectable}}
}

func buttons(body string, n int) message.Content {
	b := &message.Buttons{Footer: "footer"}
	for i := range n {
		b.Buttons = append(b.Buttons, message.Button{ID: fmt.Sprintf("b%d", i), Text: fmt.Sprintf("Button %d", i)})
	}
	return message.Content{Kind: message.KindButtons, Text: body, Buttons: b}
}

func withButtons(bs ...message.Button) message.Content {
	return message.Content{Kind: message.KindButtons, Text: "choose", Buttons: &message.Buttons{Buttons: bs}}
}

func rows(prefix string, n int) []message.ListRow {
	out := make([]message.ListRow, n)
	for i := range out {
		out[i] = message.ListRow{ID: fmt.Sprintf("%s-%d", prefix, i), Title: fmt.Sprintf("Row %d", i)}
	}
	return out
}

func list(sections ...message.ListSection) message.Content {
	return message.Content{Kind: message.KindList, Text: "pick one", List: &message.List{Title: "Menu", ButtonText: "Open", Sections: sections}}
}

func sections(n, rowsEach int) []message.ListSection {
	out := make([]message.ListSection, n)
	for i := range out {
		out[i] = message.ListSection{Title: fmt.Sprintf("S%d", i), Rows: rows(fmt.Sprintf("s%d", i), rowsEach)}
	}
	return out
}

var target = &message.Reference{Chat: chat.UserJID("6281234567890"), ID: "3EB0TARGET"}

func targeted(kind message.Kind, ref *message.Reference) message.Content {
	return message.Content{Kind: kind, Target: ref, Emoji: "👍"}
}

// with applies f to a copy of c.
func with(c message.Content, f func(*message.Content)) message.Content {
	f(&c)
	return c
}

func TestContent_Validate(t *testing.T) {
	t.Parallel()
	const ok = fault.Reason("")
	missing, invalid := fault.ReasonMissingParameter, fault.ReasonInvalidParameter
	type tc struct {
		name string
		c    message.Content
		want fault.Reason
	}
	tests := []tc{
		// text
		{"text", message.TextContent("hello"), ok},
		{"text at the limit", message.TextContent(strings.Repeat("é", message.MaxTextLength)), ok},
		{"text too long", message.TextContent(strings.Repeat("a", message.MaxTextLength+1)), invalid},
		{"text empty", message.TextContent(""), missing},
		{"text blank", message.TextContent(" \n\t"), missing},
		{"text with mentions, reply and forward", with(message.TextContent("hi @x"), func(c *message.Content) {
			c.Mentions = []chat.JID{chat.UserJID("6281")}
			c.Reply = target
			c.Forwarded = true
		}), ok},

		// location
		{"location", location(-6.2, 106.8), ok},
		{"location at the poles and the date line", location(90, -180), ok},
		{"location at the other corner", location(-90, 180), ok},
		{"location zero point", location(0, 0), ok},
		{"location without coordinates", message.Content{Kind: message.KindLocation}, invalid},
		{"latitude above 90", location(90.0001, 0), invalid},
		{"latitude below -90", location(-91, 0), invalid},
		{"longitude above 180", location(0, 180.5), invalid},
		{"longitude below -180", location(0, -181), invalid},
		{"latitude NaN", location(math.NaN(), 0), invalid},
		{"longitude NaN", location(0, math.NaN()), invalid},
		{"latitude infinite", location(math.Inf(1), 0), invalid},

		// contacts
		{"one contact", contacts(message.Contact{DisplayName: "Budi", VCard: vcard}), ok},
		{"several contacts", contacts(message.Contact{DisplayName: "Budi", VCard: vcard}, message.Contact{DisplayName: "Sari", VCard: vcard}), ok},
		{"no contact", contacts(), missing},
		{"contact without name", contacts(message.Contact{DisplayName: "  ", VCard: vcard}), invalid},
		{"contact without vCard", contacts(message.Contact{DisplayName: "Budi", VCard: "Budi +62812"}), invalid},
		{"one bad contact among good", contacts(message.Contact{DisplayName: "Budi", VCard: vcard}, message.Contact{DisplayName: "Sari"}), invalid},

		// poll
		{"poll of 2", poll("Lunch?", options(2), 0), ok},
		{"poll of 12", poll("Lunch?", options(12), 1), ok},
		{"poll multiple choice up to all", poll("Lunch?", options(3), 3), ok},
		{"poll without poll", message.Content{Kind: message.KindPoll}, missing},
		{"poll without question", poll(" ", options(2), 0), missing},
		{"poll of 1", poll("Lunch?", options(1), 0), invalid},
		{"poll of 13", poll("Lunch?", options(13), 0), invalid},
		{"poll duplicate options", poll("Lunch?", []string{"rice", "noodles", "rice"}, 0), invalid},
		{"poll blank option", poll("Lunch?", []string{"rice", " "}, 0), invalid},
		{"poll selectable negative", poll("Lunch?", options(3), -1), invalid},
		{"poll selectable above options", poll("Lunch?", options(3), 4), invalid},

		// buttons
		{"1 button", buttons("choose", 1), ok},
		{"10 buttons", buttons("choose", message.MaxButtons), ok},
		{"0 buttons", buttons("choose", 0), invalid},
		{"11 buttons", buttons("choose", message.MaxButtons+1), invalid},
		{"buttons missing", message.Content{Kind: message.KindButtons, Text: "choose"}, invalid},
		{"buttons without body", buttons(" ", 2), missing},
		{"typed buttons", withButtons(
			message.Button{Kind: message.ButtonReply, ID: "yes", Text: "Yes"},
			message.Button{Kind: message.ButtonURL, Text: "Site", URL: "https://example.com/x"},
			message.Button{Kind: message.ButtonURL, Text: "Plain", URL: "http://example.com"},
			message.Button{Kind: message.ButtonCall, Text: "Call", Phone: "+62 (812) 3456-7890"},
			message.Button{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"}), ok},
		{"button without text", withButtons(message.Button{ID: "a", Text: " "}), invalid},
		{"reply button without id", withButtons(message.Button{Kind: message.ButtonReply, Text: "A"}), invalid},
		{"url button without url", withButtons(message.Button{Kind: message.ButtonURL, Text: "A"}), invalid},
		{"url button with a relative url", withButtons(message.Button{Kind: message.ButtonURL, Text: "A", URL: "/x"}), invalid},
		{"url button with another scheme", withButtons(message.Button{Kind: message.ButtonURL, Text: "A", URL: "javascript:alert(1)"}), invalid},
		{"url button without host", withButtons(message.Button{Kind: message.ButtonURL, Text: "A", URL: "https://"}), invalid},
		{"call button without phone", withButtons(message.Button{Kind: message.ButtonCall, Text: "A"}), invalid},
		{"call button with letters", withButtons(message.Button{Kind: message.ButtonCall, Text: "A", Phone: "call me"}), invalid},
		{"call button with too many digits", withButtons(message.Button{Kind: message.ButtonCall, Text: "A", Phone: "123456789012345678901"}), invalid},
		{"copy button without code", withButtons(message.Button{Kind: message.ButtonCopy, Text: "A", CopyCode: " "}), invalid},
		{"made-up button kind", withButtons(message.Button{Kind: "teleport", ID: "a", Text: "A"}), invalid},
		{"buttons with a header image", with(buttons("choose", 1), func(c *message.Content) {
			c.Buttons.Image = &message.Media{BlobKey: "blob/h", MIME: "image/jpeg"}
		}), ok},
		{"buttons header image not stored", with(buttons("choose", 1), func(c *message.Content) {
			c.Buttons.Image = &message.Media{URL: "https://x/a.jpg", MIME: "image/jpeg"}
		}), invalid},
		{"buttons header image not an image", with(buttons("choose", 1), func(c *message.Content) {
			c.Buttons.Image = &message.Media{BlobKey: "blob/h", MIME: "application/pdf"}
		}), invalid},

		// list
		{"list", list(sections(2, 3)...), ok},
		{"list at the limits", list(sections(message.MaxListSections, message.MaxListRows)...), ok},
		{"list missing", message.Content{Kind: message.KindList, Text: "pick"}, invalid},
		{"list without sections", list(), invalid},
		{"list with too many sections", list(sections(message.MaxListSections+1, 1)...), invalid},
		{"list section without rows", list(message.ListSection{Title: "empty"}), invalid},
		{"list section with too many rows", list(sections(1, message.MaxListRows+1)...), invalid},
		{"list duplicate row id in a section", list(message.ListSection{Rows: []message.ListRow{{ID: "a", Title: "A"}, {ID: "a", Title: "B"}}}), invalid},
		{"list duplicate row id across sections", list(message.ListSection{Rows: []message.ListRow{{ID: "a", Title: "A"}}},
			message.ListSection{Rows: []message.ListRow{{ID: "a", Title: "A again"}}}), invalid},
		{"list row without id", list(message.ListSection{Rows: []message.ListRow{{Title: "A"}}}), invalid},
		{"list row without title", list(message.ListSection{Rows: []message.ListRow{{ID: "a"}}}), invalid},
		{"list without button text", with(list(sections(1, 1)...), func(c *message.Content) { c.List.ButtonText = " " }), missing},
		{"list without body", with(list(sections(1, 1)...), func(c *message.Content) { c.Text = "" }), missing},
		{"list with a header image", with(list(sections(1, 1)...), func(c *message.Content) {
			c.List.Image = &message.Media{BlobKey: "blob/h", MIME: "image/png"}
		}), ok},
		{"list header image without MIME", with(list(sections(1, 1)...), func(c *message.Content) {
			c.List.Image = &message.Media{BlobKey: "blob/h"}
		}), invalid},

		// reaction, revoke, pin
		{"reaction", targeted(message.KindReaction, target), ok},
		{"reaction removed (empty emoji)", with(targeted(message.KindReaction, target), func(c *message.Content) { c.Emoji = "" }), ok},
		{"reaction without target", targeted(message.KindReaction, nil), missing},
		{"reaction target without id", targeted(message.KindReaction, &message.Reference{Chat: target.Chat}), missing},
		{"revoke", targeted(message.KindRevoke, target), ok},
		{"revoke without target", targeted(message.KindRevoke, nil), missing},
		{"revoke target without id", targeted(message.KindRevoke, &message.Reference{}), missing},
		{"pin", targeted(message.KindPin, target), ok},
		{"unpin", with(targeted(message.KindPin, target), func(c *message.Content) { c.Unpin = true }), ok},
		{"pin without target", targeted(message.KindPin, nil), missing},
		{"pin target without id", targeted(message.KindPin, &message.Reference{Chat: target.Chat}), missing},

		// edit
		{"edit", message.Content{Kind: message.KindEdit, Text: "fixed", Target: target}, ok},
		{"edit without text", message.Content{Kind: message.KindEdit, Text: " ", Target: target}, missing},
		{"edit without target", message.Content{Kind: message.KindEdit, Text: "fixed"}, missing},
		{"edit target without id", message.Content{Kind: message.KindEdit, Text: "fixed", Target: &message.Reference{}}, missing},
		{"edit text too long", message.Content{Kind: message.KindEdit, Text: strings.Repeat("a", message.MaxTextLength+1), Target: target}, invalid},

		// inbound-only and unknown kinds
		{"poll vote", message.Content{Kind: message.KindPollVote, PollVote: &message.PollVote{Poll: *target, Selected: []string{"a"}}}, invalid},
		{"group invite", message.Content{Kind: message.KindGroupInvite, Invite: &message.GroupInvite{Code: "abc"}}, invalid},
		{"interactive reply", message.Content{Kind: message.KindInteractiveReply, Answer: &message.InteractiveReply{ID: "b1"}}, invalid},
		{"unknown", message.Content{Kind: message.KindUnknown, Text: "?"}, invalid},
		{"no kind", message.Content{Text: "hello"}, invalid},
		{"made-up kind", message.Content{Kind: "hologram", Text: "hello"}, invalid},
	}

	// Every media kind: the file, its type, the caption limit and view-once.
	for _, k := range []message.Kind{message.KindImage, message.KindVideo, message.KindAudio, message.KindDocument, message.KindSticker} {
		viewOnce := ok
		if k == message.KindDocument || k == message.KindSticker {
			viewOnce = invalid
		}
		tests = append(tests,
			tc{string(k), media(k), ok},
			tc{string(k) + " with caption at the limit", with(media(k), func(c *message.Content) { c.Text = strings.Repeat("é", message.MaxCaption) }), ok},
			tc{string(k) + " caption too long", with(media(k), func(c *message.Content) { c.Text = strings.Repeat("a", message.MaxCaption+1) }), invalid},
			tc{string(k) + " without media", message.Content{Kind: k, Text: "caption"}, missing},
			tc{string(k) + " without blob key", with(media(k), func(c *message.Content) { c.Media = &message.Media{MIME: "image/jpeg", URL: "https://x"} }), missing},
			tc{string(k) + " without MIME", with(media(k), func(c *message.Content) { c.Media = &message.Media{BlobKey: "blob/1"} }), invalid},
			tc{string(k) + " view-once", with(media(k), func(c *message.Content) { c.ViewOnce = true }), viewOnce},
		)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.c.Validate()
			if tt.want == ok {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			fe, isFault := fault.As(err)
			if !isFault || fe.Kind != fault.KindInvalid || fe.Reason != tt.want {
				t.Fatalf("Validate() = %v, want invalid/%s", err, tt.want)
			}
		})
	}
}

func TestNewOutbound_ValidatesContent(t *testing.T) {
	t.Parallel()
	img := media(message.KindImage)
	m, err := message.NewOutbound("3EB0IMG", "s1", to, img, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Content, img) || m.Status != message.StatusQueued {
		t.Fatalf("outbound %+v", m)
	}
	if _, err := message.NewOutbound("3EB0BAD", "s1", to, poll("?", options(1), 0), t0); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("invalid content accepted: %v", err)
	}
}

func TestNewOutbound_RejectsZeroRecipientForEveryKind(t *testing.T) {
	t.Parallel()
	for _, c := range []message.Content{message.TextContent("hi"), media(message.KindDocument), location(1, 2), targeted(message.KindReaction, target)} {
		_, err := message.NewOutbound("3EB0X", "s1", chat.JID{}, c, t0)
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.KindInvalid || fe.Reason != fault.ReasonMissingParameter {
			t.Fatalf("%s to nobody: err = %v, want invalid/missing", c.Kind, err)
		}
	}
}

func TestStatus_PlayedRanksAfterRead(t *testing.T) {
	t.Parallel()
	if !message.StatusPlayed.Valid() {
		t.Fatal("played is not a valid status")
	}
	for _, before := range []message.Status{message.StatusQueued, message.StatusSent, message.StatusDelivered, message.StatusRead} {
		if !before.CanBecome(message.StatusPlayed) {
			t.Errorf("%s cannot become played", before)
		}
		if message.StatusPlayed.CanBecome(before) {
			t.Errorf("played may go back to %s", before)
		}
	}
	if message.StatusPlayed.CanBecome(message.StatusFailed) || message.StatusFailed.CanBecome(message.StatusPlayed) {
		t.Error("played and failed mix")
	}
	m, err := message.NewOutbound("id", "s1", to, message.TextContent("voice"), t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []message.Status{message.StatusSent, message.StatusRead, message.StatusPlayed} {
		if !m.Advance(s, "", t0) {
			t.Fatalf("advance to %s refused", s)
		}
	}
	if m.Advance(message.StatusRead, "", t0) || m.Status != message.StatusPlayed {
		t.Fatalf("a late read moved a played message: %s", m.Status)
	}
}

// fullContent sets every field of Content and of everything it points at.
func fullContent() message.Content {
	g := chat.JID{User: "120363041234567890", Server: chat.ServerGroup}
	alice, aliceLID := chat.UserJID("6281111111111"), chat.JID{User: "123456789012345", Server: chat.ServerLID}
	ref := func(id string) message.Reference {
		return message.Reference{Chat: g, ID: id, Sender: aliceLID, FromMe: true}
	}
	reply, tgt := ref("3EB0REPLY"), ref("3EB0TARGET")
	return message.Content{
		Kind:      message.KindImage,
		Text:      "caption ✓",
		Mentions:  []chat.JID{alice, aliceLID},
		Reply:     &reply,
		Forwarded: true,
		ViewOnce:  true,
		Media: &message.Media{MIME: "image/jpeg", FileName: "a.jpg", Size: 12345, Seconds: 7, Width: 640, Height: 480, Pages: 3,
			PTT: true, GIF: true, BlobKey: "blobs/s1/3EB0", URL: "https://mmg.whatsapp.net/x", DirectPath: "/v/t62/x",
			MediaKey: []byte{1, 2, 3}, FileSHA256: []byte{4, 5, 6}, FileEncSHA256: []byte{7, 8, 9},
			Mirror: &message.Mirror{Key: "incoming-media/s1/imageMessage/040506.jpg", Driver: "local", URL: "https://gw/storages/x"}},
		Location: &message.Location{Latitude: -6.175392, Longitude: 106.827153, Name: "Monas", Address: "Jakarta", Live: true},
		Contacts: []message.Contact{{DisplayName: "Budi", VCard: vcard}},
		Poll:     &message.Poll{Question: "Lunch?", Options: []string{"rice", "noodles"}, SelectableCount: 2},
		PollVote: &message.PollVote{Poll: ref("3EB0POLL"), Selected: []string{"rice"}},
		Buttons: &message.Buttons{Footer: "footer", Image: &message.Media{MIME: "image/png", Size: 9, BlobKey: "outbound/h1.png", URL: "https://mmg/h",
			DirectPath: "/v/h", MediaKey: []byte{1}, FileSHA256: []byte{2}, FileEncSHA256: []byte{3}, Width: 1, Height: 1, FileName: "h.png",
			Seconds: 1, Pages: 1, PTT: true, GIF: true, Mirror: &message.Mirror{Key: "k1", Driver: "local", URL: "https://gw/storages/k1"}},
			Buttons: []message.Button{{Kind: message.ButtonCopy, ID: "b1", Text: "Yes", URL: "https://x.id", Phone: "+62812", CopyCode: "SAVE"}},
			Legacy:  true},
		List: &message.List{Title: "Menu", Footer: "f", ButtonText: "Open", Image: &message.Media{MIME: "image/jpeg", Size: 8, BlobKey: "outbound/h2.jpg",
			URL: "https://mmg/l", DirectPath: "/v/l", MediaKey: []byte{4}, FileSHA256: []byte{5}, FileEncSHA256: []byte{6}, Width: 2, Height: 2,
			FileName: "l.jpg", Seconds: 2, Pages: 2, PTT: true, GIF: true, Mirror: &message.Mirror{Key: "k2", Driver: "s3", URL: "https://s3/k2"}},
			Sections: []message.ListSection{{Title: "Food", Rows: []message.ListRow{{ID: "r1", Title: "Rice", Description: "with egg"}}}},
			Legacy:   true},
		Invite: &message.GroupInvite{Group: g, GroupName: "Family", Code: "AbCdEf",
			Expiration: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)},
		Answer: &message.InteractiveReply{ID: "b1", Text: "Yes", Reply: ref("3EB0BUTTONS")},
		Target: &tgt,
		Emoji:  "🎉",
		Unpin:  true,

		Presence: message.PresenceRecording,
	}
}

// assertAllSet fails for every zero field reachable from v, so a field added to the
// content model without being added to fullContent is noticed.
func assertAllSet(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is not set", path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		assertAllSet(t, v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			assertAllSet(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice:
		for i := range v.Len() {
			assertAllSet(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

func TestContent_JSONRoundTripIsLossless(t *testing.T) {
	t.Parallel()
	in := fullContent()
	assertAllSet(t, reflect.ValueOf(in), "Content")
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out message.Content
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip lost data\n got %+v\nwant %+v\njson %s", out, in, raw)
	}
	// JIDs travel as strings, bytes as base64.
	var shape map[string]any
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	if m := shape["mentions"].([]any); m[0] != "6281111111111@s.whatsapp.net" || m[1] != "123456789012345@lid" {
		t.Fatalf("mentions %v", shape["mentions"])
	}
	if r := shape["reply"].(map[string]any); r["chat"] != "120363041234567890@g.us" || r["sender"] != "123456789012345@lid" {
		t.Fatalf("reply %v", r)
	}
	if k := shape["media"].(map[string]any)["mediaKey"]; k != "AQID" {
		t.Fatalf("mediaKey %v", k)
	}
}

func TestContent_JSONOmitsUnsetParts(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(message.TextContent("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"kind":"text","text":"hi"}` {
		t.Fatalf("json %s", raw)
	}
	var back message.Content
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, message.TextContent("hi")) {
		t.Fatalf("back %+v %v", back, err)
	}
}

// The blob of a content is its media's, or its buttons' or list's header image.
func TestContent_BlobKey(t *testing.T) {
	t.Parallel()
	img := &message.Media{BlobKey: "outbound/h.png", MIME: "image/png"}
	for _, tc := range []struct {
		c    message.Content
		want string
	}{
		{media(message.KindImage), "blob/1"},
		{message.Content{Kind: message.KindButtons, Buttons: &message.Buttons{Image: img}}, "outbound/h.png"},
		{message.Content{Kind: message.KindList, List: &message.List{Image: img}}, "outbound/h.png"},
		{message.Content{Kind: message.KindButtons, Buttons: &message.Buttons{}}, ""},
		{message.TextContent("hi"), ""},
	} {
		if got := tc.c.BlobKey(); got != tc.want {
			t.Errorf("%s: BlobKey() = %q, want %q", tc.c.Kind, got, tc.want)
		}
	}
}
