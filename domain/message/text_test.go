package message_test

import (
	"reflect"
	"testing"

	"github.com/warest-go/warest/domain/message"
)

func TestNormalizeText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain text is untouched", "Hello, world", "Hello, world"},
		{"WhatsApp markers are untouched", "*bold* _it_ ~x~ ```c```", "*bold* _it_ ~x~ ```c```"},
		{"bracketed link", "see [https://example.com/a?b=1]", "see https://example.com/a?b=1"},
		{"bracketed www link", "[www.example.com] now", "www.example.com now"},
		{"bracketed http link, upper case scheme", "[HTTP://X.ID]", "HTTP://X.ID"},
		{"brackets around words stay", "[note] and [a b]", "[note] and [a b]"},
		{"markdown link stays", "[site](https://x.id)", "[site](https://x.id)"},
		{"b", "<b>bold</b>", "*bold*"},
		{"strong with attributes, any case", `<STRONG class="x">bold</Strong>`, "*bold*"},
		{"i and em", "<i>a</i> <em>b</em>", "_a_ _b_"},
		{"s, del and strike", "<s>a</s> <del>b</del> <strike>c</strike>", "~a~ ~b~ ~c~"},
		{"code", "run <code>go test ./...</code>", "run ```go test ./...```"},
		{"multi-line element", "<b>one\ntwo</b>", "*one\ntwo*"},
		{"siblings stay apart", "<b>a</b> and <b>b</b>", "*a* and *b*"},
		{"nested", "<b><i>both</i></b>", "*_both_*"},
		{"other tags stripped", `<p>Hi <span style="x">there</span><br/>bye</p>`, "Hi therebye"},
		{"unmatched formatting tag stripped", "<b>open", "open"},
		{"br is not b", "a<br>b", "ab"},
		{"span is not s", "<span>x</span>", "x"},
		{"comparisons are not tags", "a < b and c > d, <3, <- back", "a < b and c > d, <3, <- back"},
		{"emoji shortcodes are left as typed", "hi :smile:", "hi :smile:"},
		{"all together", "<b>Order</b> [https://x.id/o/1] <i>ready</i> <u>now</u>", "*Order* https://x.id/o/1 _ready_ now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := message.NormalizeText(tt.in); got != tt.want {
				t.Errorf("NormalizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMentionedNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"no mentions", nil},
		{"hi @6281234567890 and @62899", []string{"6281234567890"}}, // 5 digits is too short
		{"@123456 @123456 @98765432109876543210", []string{"123456", "98765432109876543210"}},
		{"@123456789012345678901 is too long", nil},
		{"*@6281234567890*", []string{"6281234567890"}},
	}
	for _, tt := range tests {
		if got := message.MentionedNumbers(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MentionedNumbers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
