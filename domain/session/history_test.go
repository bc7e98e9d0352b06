package session_test

import (
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

func TestSetHistoryRetention(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		days int
		ok   bool
	}{{0, true}, {1, true}, {session.MaxHistoryDays, true}, {-1, false}, {session.MaxHistoryDays + 1, false}} {
		s, err := session.New("s1", "OWNER", now)
		if err != nil {
			t.Fatal(err)
		}
		err = s.SetHistoryRetention(tc.days, now.Add(time.Minute))
		switch {
		case tc.ok && (err != nil || s.HistoryRetention() != time.Duration(tc.days)*24*time.Hour || !s.UpdatedAt().Equal(now.Add(time.Minute))):
			t.Errorf("%d days: err %v, retention %v", tc.days, err, s.HistoryRetention())
		case !tc.ok && (!fault.Is(err, fault.KindInvalid) || s.HistoryRetention() != 0):
			t.Errorf("%d days: err %v, retention %v; want invalid and unchanged", tc.days, err, s.HistoryRetention())
		}
	}
}
