package message_test

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

func TestCursorRoundTripAndOrder(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	m := message.Received{Inbound: message.Inbound{ID: "3EB0.B", Timestamp: at}, ReceivedAt: at.Add(time.Millisecond)}
	c := message.CursorAfter(m)
	got, err := message.ParseCursor(c.String())
	if err != nil || !got.At.Equal(c.At) || !got.ReceivedAt.Equal(c.ReceivedAt) || got.ID != c.ID {
		t.Fatalf("round trip %+v, %v; want %+v", got, err, c)
	}
	older := m
	older.ReceivedAt = at // same second, arrived earlier
	same, newer := m, m
	newer.Timestamp = at.Add(time.Second)
	if !got.Before(older) || got.Before(same) || got.Before(newer) {
		t.Fatal("the cursor must let through only what comes after it, newest first")
	}
	for _, bad := range []string{"", "%%%", "MTIz", c.String()[:4]} {
		if _, err := message.ParseCursor(bad); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("ParseCursor(%q) = %v, want invalid", bad, err)
		}
	}
}
