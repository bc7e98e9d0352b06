package message

import (
	"regexp"
	"strings"
)

// Text normalisation of the send/text route (WAREST's): HTML-ish markup becomes
// WhatsApp's own formatting, bracketed links lose their brackets, and other tags are
// removed. Only send/text applies it; every other route (captions, button and list
// bodies, webhook actions) sends its text exactly as given. WAREST also replaces
// :emoji: shortcodes, but its map is broken (it yields "??"), so that part is not
// reproduced: shortcodes are left as typed.

var (
	// bracketedLink is a link in square brackets: [https://example.com] or [www.example.com].
	bracketedLink = regexp.MustCompile(`\[((?:[hH][tT][tT][pP][sS]?://|[wW][wW][wW]\.)[^\[\]\s]+)\]`)

	// formatting maps an element to WhatsApp's markers around its content. The
	// content may span lines; the shortest match wins, so siblings stay apart.
	formatting = []struct {
		re          *regexp.Regexp
		open, close string
	}{
		{element("b", "strong"), "*", "*"},
		{element("i", "em"), "_", "_"},
		{element("s", "del", "strike"), "~", "~"},
		{element("code"), "```", "```"},
	}

	// anyTag is an opening, closing or self-closing tag: "<" then a letter, so "a < b",
	// "<3" and "<-" are not tags.
	anyTag = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>`)

	// mentionPattern is WAREST's mention detection: "@" and 6 to 20 digits.
	mentionPattern = regexp.MustCompile(`@(\d{6,20})\b`)
)

// element matches <name ...>content</name> for any of names, case-insensitively.
// (Go's RE2 has no back-references, so <b>…</strong> matches too; harmless.)
func element(names ...string) *regexp.Regexp {
	n := strings.Join(names, "|")
	return regexp.MustCompile(`(?is)<(?:` + n + `)(?:\s[^<>]*)?>(.*?)</(?:` + n + `)\s*>`)
}

// NormalizeText is WAREST's send/text normalisation: "[url]" loses its brackets;
// <b>/<strong> become *…*, <i>/<em> _…_, <s>/<del> ~…~ and <code> a ``` fence; any
// other tag is removed. Text without markup is returned unchanged.
func NormalizeText(s string) string {
	if !strings.ContainsAny(s, "<[") {
		return s
	}
	s = bracketedLink.ReplaceAllString(s, "$1")
	for _, f := range formatting {
		s = f.re.ReplaceAllString(s, f.open+"${1}"+f.close)
	}
	return anyTag.ReplaceAllString(s, "")
}

// MentionedNumbers returns the digits of every "@<6–20 digits>" in s, first
// occurrence order, without repeats.
func MentionedNumbers(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionPattern.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}
