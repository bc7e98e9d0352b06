package httpapi_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/warest-go/warest/application/command"
)

type limitsView struct {
	ID          string `json:"id"`
	MaxSessions *int   `json:"maxSessions"`
	MaxStreams  *int   `json:"maxStreams"`
}

// A user owns at most the cap of sessions; an admin sets a per-user override, or
// takes it away again; admins themselves are uncapped.
func TestSessionCapAndAdminOverride(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Caps.Sessions = 2 })
	alice, aliceID := a.user(t, "alice")
	create := func(key, id string) response {
		return a.do(t, http.MethodGet, "/api/v1/session/create?sessionId="+id, key, nil)
	}
	expect(t, create(alice, "a1"), http.StatusAccepted, 1107)
	expect(t, create(alice, "a2"), http.StatusAccepted, 1107)
	r := create(alice, "a3")
	expect(t, r, http.StatusForbidden, 2403)
	expect(t, create(alice, "a1"), http.StatusAccepted, 1107) // restarting an own session is no new one
	for _, id := range []string{"x1", "x2", "x3"} {
		expect(t, create(a.adminKey, id), http.StatusAccepted, 1107)
	}

	limits := "/api/v1/users/" + aliceID + "/limits"
	r = a.do(t, http.MethodPut, limits, a.adminKey, map[string]any{"maxSessions": 3})
	expect(t, r, http.StatusOK, 1000)
	var got limitsView
	r.result(t, 0, &got)
	if got.ID != aliceID || got.MaxSessions == nil || *got.MaxSessions != 3 || got.MaxStreams != nil {
		t.Fatalf("limits %s", r.body)
	}
	expect(t, create(alice, "a3"), http.StatusAccepted, 1107)
	expect(t, create(alice, "a4"), http.StatusForbidden, 2403)
	expect(t, a.do(t, http.MethodDelete, "/api/v1/session/delete?sessionId=a1", alice, nil), http.StatusOK, 1000)
	expect(t, create(alice, "a4"), http.StatusAccepted, 1107)

	var users []limitsView
	r = a.do(t, http.MethodGet, "/api/v1/users", a.adminKey, nil)
	for i := range r.env.Results {
		var u limitsView
		r.result(t, i, &u)
		users = append(users, u)
	}
	found := false
	for _, u := range users {
		found = found || u.ID == aliceID && u.MaxSessions != nil && *u.MaxSessions == 3
	}
	if !found {
		t.Fatalf("user list lacks alice's limit: %s", r.body)
	}

	// null goes back to the default of 2, below what alice owns: no new session.
	expect(t, a.do(t, http.MethodPut, limits, a.adminKey, map[string]any{"maxSessions": nil}), http.StatusOK, 1000)
	expect(t, create(alice, "a5"), http.StatusForbidden, 2403)
	expect(t, a.do(t, http.MethodPut, limits, a.adminKey, map[string]any{"maxSessions": 0}), http.StatusOK, 1000)
	expect(t, create(alice, "a5"), http.StatusAccepted, 1107) // 0: unlimited

	expect(t, a.do(t, http.MethodPut, limits, alice, map[string]any{"maxSessions": 100}), http.StatusForbidden, 2201)
	expect(t, a.do(t, http.MethodPut, limits, a.adminKey, map[string]any{"maxSessions": -1}), http.StatusBadRequest, 2002)
	expect(t, a.do(t, http.MethodPut, "/api/v1/users/nobody/limits", a.adminKey, map[string]any{"maxSessions": 1}), http.StatusNotFound, 2602)
}

// Concurrent creates of one user never end above the cap.
func TestSessionCapHoldsUnderConcurrentCreates(t *testing.T) {
	t.Parallel()
	a := newAppWith(t, func(c *command.Config) { c.Caps.Sessions = 3 })
	bob, _ := a.user(t, "bob")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			r := a.do(t, http.MethodGet, "/api/v1/session/create?sessionId=c"+string(rune('a'+i)), bob, nil)
			mu.Lock()
			codes[r.env.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[1107] != 3 || codes[2403] != 9 {
		t.Fatalf("app codes %v, want 3 created and 9 refused", codes)
	}
}
