package message_test

import (
	"reflect"
	"testing"

	"github.com/warest-go/warest/domain/message"
)

func TestButton_NativeFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		b            message.Button
		name, params string
	}{
		{message.Button{ID: "yes", Text: "Yes"}, "quick_reply", `{"display_text":"Yes","id":"yes"}`},
		{message.Button{Kind: message.ButtonReply, ID: "a&b", Text: "<A>"}, "quick_reply", `{"display_text":"<A>","id":"a&b"}`},
		{message.Button{Kind: message.ButtonURL, Text: "Site", URL: "https://x.id/?a=1&b=2"}, "cta_url",
			`{"display_text":"Site","url":"https://x.id/?a=1&b=2","merchant_url":"https://x.id/?a=1&b=2"}`},
		{message.Button{Kind: message.ButtonCall, Text: "Call", Phone: "+62812"}, "cta_call", `{"display_text":"Call","phone_number":"+62812"}`},
		{message.Button{Kind: message.ButtonCopy, Text: "Code", CopyCode: "SAVE20"}, "cta_copy", `{"display_text":"Code","copy_code":"SAVE20"}`},
	}
	for _, tt := range tests {
		name, params := tt.b.NativeFlow()
		if name != tt.name || params != tt.params {
			t.Errorf("%+v: got %s %s, want %s %s", tt.b, name, params, tt.name, tt.params)
		}
		back, ok := message.ButtonFromNativeFlow(name, params)
		want := tt.b
		if want.Kind == "" {
			want.Kind = message.ButtonReply
		}
		if !ok || !reflect.DeepEqual(back, want) {
			t.Errorf("read back %+v %v, want %+v", back, ok, want)
		}
	}
	if _, ok := message.ButtonFromNativeFlow("review_and_pay", `{}`); ok {
		t.Error("a payment flow read as a button")
	}
}

func TestList_NativeFlow(t *testing.T) {
	t.Parallel()
	l := message.List{ButtonText: "Open", Sections: []message.ListSection{
		{Title: "Food", Rows: []message.ListRow{{ID: "r1", Title: "Rice", Description: "with egg"}, {ID: "r2", Title: "Tea"}}}}}
	name, params := l.NativeFlow()
	want := `{"title":"Open","sections":[{"title":"Food","rows":[{"title":"Rice","description":"with egg","id":"r1"},{"title":"Tea","id":"r2"}]}]}`
	if name != "single_select" || params != want {
		t.Fatalf("got %s %s", name, params)
	}
	text, sections := message.ListFromNativeFlow(params)
	if text != "Open" || !reflect.DeepEqual(sections, l.Sections) {
		t.Fatalf("read back %q %+v", text, sections)
	}
}
