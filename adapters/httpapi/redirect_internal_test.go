package httpapi

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		next string
		want string // "" for afterLogin
	}{
		{"/docs", "/docs"},
		{"/", "/"},
		{"/docs/openapi.json?x=1#top", "/docs/openapi.json?x=1#top"},
		{"/docs?next=//evil.example", "/docs?next=//evil.example"}, // "//" after the path's start stays on this site
		{"/a%2Fb", "/a%2Fb"},
		{"/a%20b", ""}, // strict: visible ASCII in every decoded form, spaces included
		{"/javascript:alert(1)", "/javascript:alert(1)"}, // a path segment, not a scheme
		{"", ""},
		{"/%09/evil.example", ""}, // decodes to a tab: browsers drop it and see //evil.example
		{"/\t/evil.example", ""},
		{"/\n/evil.example", ""},
		{"//evil.example", ""},
		{"///evil.example", ""},
		{"/\\evil.example", ""},
		{"\\/evil.example", ""},
		{"/%5Cevil.example", ""},
		{"/%2F%2Fevil.example", ""},
		{"/%2f/evil.example", ""},
		{"/%252F%252Fevil.example", ""}, // encoded twice
		{"/%25", ""},                    // decodes to a lone "%"
		{"/%zz", ""},
		{"https://evil.example", ""},
		{"https:/evil.example", ""},
		{"//user@evil.example/", ""},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{"data:text/html,<script>", ""},
		{"evil.example", ""},
		{" /docs", ""},
		{"/docs ", ""},
		{"/d\x7focs", ""},
		{"/dócs", ""},
		{"/" + strings.Repeat("a", 2048), ""},
	}
	for _, tt := range tests {
		want := tt.want
		if want == "" {
			want = afterLogin
		}
		if got := localPath(tt.next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", tt.next, got, want)
		}
	}
}
