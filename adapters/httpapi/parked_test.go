package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/test/appworld"
)

func TestParkedEventsAreListedToAdminsOnly(t *testing.T) {
	t.Parallel()
	store := appworld.NewStore(t)
	a := newAppOn(t, store, func(c *command.Config) { c.Limits.Cooldown = 0 })
	key, _ := a.user(t, "alice")
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, text := range []string{"first", "second"} {
		p := event.NewParked("shop", "TransportMessage", []byte(`{"Message":{"Content":{"Text":"`+text+`\u0000"}}}`), "refused "+text, at.Add(time.Duration(i)*time.Second))
		if err := store.Parked().Park(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, a.do(t, http.MethodGet, "/api/v1/events/parked", key, nil), http.StatusForbidden, 2201)
	r := a.do(t, http.MethodGet, "/api/v1/events/parked?limit=1", a.adminKey, nil)
	expect(t, r, http.StatusOK, 1000)
	var got struct {
		ID, SessionID, Kind, Reason, ParkedAt, Payload string
	}
	r.result(t, 0, &got)
	if len(r.env.Results) != 1 || got.ID == "" || got.SessionID != "shop" || got.Kind != "TransportMessage" || got.Reason != "refused second" ||
		got.ParkedAt != "2025-01-02T03:04:06.000Z" || got.Payload != `{"Message":{"Content":{"Text":"second\u0000"}}}` {
		t.Fatalf("parked %+v in %s", got, r.body)
	}
}
