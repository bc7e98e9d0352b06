package message

import (
	"cmp"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
)

// HistoryQuery selects a page of one chat's history (received and sent messages),
// newest first. The page starts after Cursor when it is set, then skips Offset.
type HistoryQuery struct {
	SessionID string
	Chat      chat.JID
	Filter    HistoryFilter
	Cursor    *Cursor
	Offset    int
	Limit     int
}

// HistoryFilter narrows a chat's history; the zero filter keeps everything.
type HistoryFilter struct {
	From, Until time.Time // sent at or after From, at or before Until; zero: unbounded
	MediaOnly   bool      // messages carrying a file
	FromMe      *bool     // nil: both directions
	Search      string    // case-insensitive substring of the text
	UnreadOnly  bool      // received, not read by this account, not deleted
}

// Matches reports whether m passes the filter (the SQL stores say the same in SQL).
func (f HistoryFilter) Matches(m Received) bool {
	switch {
	case !f.From.IsZero() && m.Timestamp.Before(f.From), !f.Until.IsZero() && m.Timestamp.After(f.Until):
		return false
	case f.MediaOnly && (m.Content.Media == nil || m.Content.Media.MIME == ""):
		return false
	case f.FromMe != nil && m.FromMe != *f.FromMe:
		return false
	case f.UnreadOnly && (m.FromMe || !m.ReadAt.IsZero() || !m.RevokedAt.IsZero()):
		return false
	}
	return f.Search == "" || strings.Contains(SearchText(m.Content.Text), SearchText(f.Search))
}

// SearchText is text as history search compares it: case folded the same in every
// store.
func SearchText(s string) string { return strings.ToLower(s) }

// HistoryPage is one page of a chat's history and how many messages the filter
// matches in all.
type HistoryPage struct {
	Messages []Received
	Total    int
}

// Cursor is the position after the last message of a page: the next page holds
// the messages after it in history order (newest first by sent time, then arrival
// time, as WhatsApp's sent times are whole seconds, then id). Keyed on the message
// itself, it does not move when new messages arrive, as an offset would.
type Cursor struct {
	At, ReceivedAt time.Time
	ID             string
}

// CursorAfter is the cursor of a page that ends with m.
func CursorAfter(m Received) Cursor {
	return Cursor{At: m.Timestamp, ReceivedAt: m.ReceivedAt, ID: m.ID}
}

// Before reports whether m comes after the cursor in history order.
func (c Cursor) Before(m Received) bool {
	return CompareHistory(m, Received{Inbound: Inbound{ID: c.ID, Timestamp: c.At}, ReceivedAt: c.ReceivedAt}) > 0
}

// CompareHistory orders messages as history pages list them: newest first by sent
// time, then arrival time (both to the millisecond, as stores keep them), then id.
func CompareHistory(a, b Received) int {
	return cmp.Or(cmp.Compare(b.Timestamp.UnixMilli(), a.Timestamp.UnixMilli()),
		cmp.Compare(b.ReceivedAt.UnixMilli(), a.ReceivedAt.UnixMilli()), strings.Compare(b.ID, a.ID))
}

// String is the opaque form clients pass back.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At.UnixMilli(), 10) + "." +
		strconv.FormatInt(c.ReceivedAt.UnixMilli(), 10) + "." + c.ID))
}

// ParseCursor reads a cursor given by a client.
func ParseCursor(s string) (Cursor, error) {
	bad := fault.Invalid(fault.ReasonInvalidParameter, "cursor is not one this API returned")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	parts := strings.SplitN(string(raw), ".", 3)
	if len(parts) != 3 || parts[2] == "" {
		return Cursor{}, bad
	}
	at, err1 := strconv.ParseInt(parts[0], 10, 64)
	received, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return Cursor{}, bad
	}
	return Cursor{At: time.UnixMilli(at).UTC(), ReceivedAt: time.UnixMilli(received).UTC(), ID: parts[2]}, nil
}

// ChatSummary is one chat of a session as its history shows it.
type ChatSummary struct {
	Chat     chat.JID
	Name     string // the peer's latest push name, "" when unknown
	Messages int
	Unread   int // received, unread, not deleted
	Media    int // messages carrying a file
	LastText string
	FirstAt  time.Time
	LastAt   time.Time
	Pinned   bool
}
