// Package contract holds the behaviour every adapter of a port must show, as exported
// suites that each adapter's tests run against a fresh instance.
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

// RunStore checks a ports.Store. open must return a fresh, empty store per call
// (built with Sealer where the store seals secrets) and release it in t.Cleanup.
func RunStore(t *testing.T, open func(t *testing.T) ports.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s ports.Store)
	}{
		{"store/ping succeeds and dialect is named", storePingAndDialect},

		{"session/create then get returns every field including the webhook secret", sessionRoundTrip},
		{"session/a fresh session without identity or webhook round-trips empty", sessionRoundTripEmpty},
		{"session/creating an existing id is a conflict", sessionCreateDuplicate},
		{"session/ids are unique ignoring case and looked up exactly", sessionIDsIgnoreCase},
		{"session/unknown id is not found for get update and delete", sessionNotFound},
		{"session/update persists fn's changes and returns them", sessionUpdate},
		{"session/update with a failing fn returns its error and changes nothing", sessionUpdateFails},
		{"session/delete removes the session and its messages", sessionDeleteCascades},
		{"session/list filters by owner and orders by id", sessionList},
		{"session/list auto-start returns only auto-start sessions", sessionListAutoStart},
		{"session/concurrent updates of one session lose no write", sessionConcurrentUpdates},

		{"user/create then get by id username and registry", userRoundTrip},
		{"user/duplicate id username or registry is a conflict", userDuplicate},
		{"user/usernames are unique and found ignoring case and kept as given", usernamesIgnoreCase},
		{"user/unknown id username or registry is not found", userNotFound},
		{"user/update replaces password hash role and limits only", userUpdate},
		{"user/get for update makes concurrent cap checks of one user take turns", userGetForUpdate},
		{"user/list returns all users by username", userList},

		{"apikey/create then get by hash returns it", apiKeyRoundTrip},
		{"apikey/duplicate hash is a conflict", apiKeyDuplicate},
		{"apikey/unknown hash or id is not found", apiKeyNotFound},
		{"apikey/key of an unknown user is not found", apiKeyUnknownUser},
		{"apikey/list by user returns only that user's keys oldest first", apiKeyListByUser},
		{"apikey/revoke marks the key and a second revoke keeps the first time", apiKeyRevoke},
		{"apikey/a login key round-trips its kind and expiry", apiKeyLoginRoundTrip},
		{"apikey/touch records the last use and never moves it back", apiKeyTouch},
		{"apikey/delete ended logins removes only that user's revoked or expired login keys", apiKeyDeleteEndedLogins},

		{"message/create then get returns every field", messageRoundTrip},
		{"message/duplicate id in one session is a conflict but not across sessions", messageDuplicate},
		{"message/unknown message is not found for get and update", messageNotFound},
		{"message/message of an unknown session is not found", messageUnknownSession},
		{"message/create with its event stores both; a message or an event already stored is a conflict", messageWithEvent},
		{"message/update persists fn's changes and a failing fn changes nothing", messageUpdate},
		{"message/list queued returns queued messages of one session oldest first", messageListQueued},
		{"message/sessions with queued lists each session once sorted", messageSessionsWithQueued},
		{"message/list expired returns a session's queued messages past their expiry soonest first", messageListExpired},

		{"event/append stores an unpublished event without a position and get returns the payload byte for byte", eventRoundTrip},
		{"event/appending an existing id is a conflict", eventDuplicate},
		{"event/unknown id is not found", eventNotFound},
		{"event/get many leaves unknown ids out", eventGetMany},
		{"event/list after returns later published events by position up to limit", eventListAfter},
		{"event/mark published removes events from the unpublished list", eventPublish},
		{"event/mark published assigns increasing positions in the given order to unpublished events only", eventPositions},
		{"event/payloads with NUL, lone surrogates and invalid UTF-8 come back byte for byte from every read", eventPayloadBytes},

		{"parked/park then list returns every field, payload bytes exact", parkedRoundTrip},
		{"parked/parking an id again is a conflict", parkedDuplicate},
		{"parked/list is newest first up to limit", parkedList},

		{"delivery/create then get returns every field", deliveryRoundTrip},
		{"delivery/same event to the same subscription and url twice is a conflict", deliveryDuplicate},
		{"delivery/create many keeps every field and the batch's order and skips the scheduled", deliveryCreateMany},
		{"delivery/create many with an event gone stores none", deliveryCreateManyGone},
		{"delivery/save persists an attempt and unknown ids are not found", deliverySave},
		{"delivery/save many persists every attempt, or none when one is gone", deliverySaveMany},
		{"delivery/list by event returns only that event's deliveries", deliveryListByEvent},

		{"tx/commits every write when fn succeeds and fn reads its own writes", txCommit},
		{"tx/failing fn returns its error and leaves no trace", txRollback},
		{"tx/update inside a transaction rolls back with it", txUpdateRollsBack},
		{"tx/concurrent transactions updating a session and appending events all commit", txConcurrent},
	}
	tests = append(tests, limitTests...)   // limits.go
	tests = append(tests, groupTests...)   // group.go
	tests = append(tests, webhookTests...) // webhooks.go
	tests = append(tests, blobTests...)    // blobs.go
	tests = append(tests, historyTests...) // history.go
	tests = append(tests, chatTests...)    // chats.go
	tests = append(tests, leaseTests...)   // leases.go
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// t0 has sub-millisecond digits and a non-UTC zone: stores must keep at least
// milliseconds and give the same instant back.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 891_234_567, time.FixedZone("WIB", 7*3600))

func at(seconds int) time.Time { return t0.Add(time.Duration(seconds) * time.Second) }

var errAbort = errors.New("contract: fn aborted on purpose")

// --- store ---

func storePingAndDialect(t *testing.T, s ports.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	switch s.Dialect() {
	case "sqlite", "postgres", "mysql":
	default:
		t.Fatalf("Dialect() = %q, want sqlite, postgres or mysql", s.Dialect())
	}
}

// --- sessions ---

func newSession(t *testing.T, id, owner string) *session.Session {
	t.Helper()
	s, err := session.New(id, owner, t0)
	must(t, err)
	return s
}

func createSession(t *testing.T, s ports.Store, id, owner string) *session.Session {
	t.Helper()
	sess := newSession(t, id, owner)
	must(t, s.Sessions().Create(t.Context(), sess))
	return sess
}

func sessionRoundTrip(t *testing.T, s ports.Store) {
	sess := newSession(t, "s1", "OWNERAAAAA")
	must(t, sess.Opened(session.Identity{JID: "6281234567890@s.whatsapp.net", LID: "123456789@lid", Name: "Budi"}, at(1)))
	sess.SetWebhook(session.Webhook{URL: "https://example.test/hook", Secret: "s3cr3t-ключ"}, at(2))
	must(t, sess.SetCallPolicy(session.CallPolicy{Reject: true, Message: "Sedang sibuk, chat saja"}, at(2)))
	must(t, sess.SetHistoryRetention(30, at(2)))
	must(t, s.Sessions().Create(t.Context(), sess))

	got, err := s.Sessions().Get(t.Context(), "s1")
	must(t, err)
	equal(t, normSession(got), normSession(sess)) // the call policy and history retention included
	equal(t, got.HistoryRetention(), 30*24*time.Hour)
}

func sessionRoundTripEmpty(t *testing.T, s ports.Store) {
	sess := createSession(t, s, "s1", "OWNERAAAAA")
	got, err := s.Sessions().Get(t.Context(), "s1")
	must(t, err)
	equal(t, normSession(got), normSession(sess))
	if got.Me() != nil || got.LastConnAt() != nil || got.Webhook() != (session.Webhook{}) {
		t.Fatalf("fresh session came back with identity %v, last connection %v, webhook %+v", got.Me(), got.LastConnAt(), got.Webhook())
	}
}

func sessionCreateDuplicate(t *testing.T, s ports.Store) {
	createSession(t, s, "s1", "OWNERAAAAA")
	err := s.Sessions().Create(t.Context(), newSession(t, "s1", "OWNERBBBBB"))
	isFault(t, err, fault.KindConflict, fault.ReasonSessionExists)
}

func sessionIDsIgnoreCase(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "alice1", "OWNERAAAAA")
	for _, id := range []string{"ALICE1", "Alice1", "alicE1"} {
		isFault(t, s.Sessions().Create(ctx, newSession(t, id, "OWNERBBBBB")), fault.KindConflict, fault.ReasonSessionExists)
		_, err := s.Sessions().Get(ctx, id)
		isFault(t, err, fault.KindNotFound, fault.ReasonSessionNotFound)
	}
	createSession(t, s, "Bob", "OWNERAAAAA")
	isFault(t, s.Sessions().Create(ctx, newSession(t, "bob", "OWNERAAAAA")), fault.KindConflict, fault.ReasonSessionExists)
	// Deleting frees the id in every case.
	must(t, s.Sessions().Delete(ctx, "alice1"))
	createSession(t, s, "ALICE1", "OWNERBBBBB")
	got, err := s.Sessions().Get(ctx, "ALICE1")
	must(t, err)
	equal(t, got.Owner(), "OWNERBBBBB")
	equal(t, sessionIDs(t)(s.Sessions().List(ctx, "")), []string{"ALICE1", "Bob"})
}

func sessionNotFound(t *testing.T, s ports.Store) {
	ctx := t.Context()
	_, err := s.Sessions().Get(ctx, "nope")
	isFault(t, err, fault.KindNotFound, fault.ReasonSessionNotFound)
	_, err = s.Sessions().Update(ctx, "nope", func(*session.Session) error { return nil })
	isFault(t, err, fault.KindNotFound, fault.ReasonSessionNotFound)
	isFault(t, s.Sessions().Delete(ctx, "nope"), fault.KindNotFound, fault.ReasonSessionNotFound)
}

func sessionUpdate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNERAAAAA")
	updated, err := s.Sessions().Update(ctx, "s1", func(sess *session.Session) error {
		sess.SetWebhook(session.Webhook{URL: "https://example.test/h", Secret: "k"}, at(3))
		return sess.Opened(session.Identity{JID: "62811@s.whatsapp.net", Name: "A"}, at(4))
	})
	must(t, err)
	if updated.Status() != session.StatusOpen {
		t.Fatalf("Update returned status %s, want open", updated.Status())
	}
	got, err := s.Sessions().Get(ctx, "s1")
	must(t, err)
	equal(t, normSession(got), normSession(updated))

	// Clearing the identity and the webhook must be written too, not just setting them.
	_, err = s.Sessions().Update(ctx, "s1", func(sess *session.Session) error {
		sess.SetWebhook(session.Webhook{}, at(5))
		return sess.LoggedOut("unlinked", at(6))
	})
	must(t, err)
	got, err = s.Sessions().Get(ctx, "s1")
	must(t, err)
	if got.Me() != nil || got.Webhook() != (session.Webhook{}) || got.LastError() != "unlinked" || got.Status() != session.StatusLoggedOut {
		t.Fatalf("after logout got identity %v, webhook %+v, last error %q, status %s", got.Me(), got.Webhook(), got.LastError(), got.Status())
	}
}

func sessionUpdateFails(t *testing.T, s ports.Store) {
	ctx := t.Context()
	before := createSession(t, s, "s1", "OWNERAAAAA")
	_, err := s.Sessions().Update(ctx, "s1", func(sess *session.Session) error {
		must(t, sess.Opened(session.Identity{JID: "62811@s.whatsapp.net"}, at(1)))
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update error = %v, want fn's error unchanged", err)
	}
	got, err := s.Sessions().Get(ctx, "s1")
	must(t, err)
	equal(t, normSession(got), normSession(before))
}

func sessionDeleteCascades(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "OWNERAAAAA")
	createSession(t, s, "s2", "OWNERAAAAA")
	must(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(1))))
	must(t, s.Messages().Create(ctx, newMessage(t, "s2", "m2", at(1))))

	must(t, s.Sessions().Delete(ctx, "s1"))
	_, err := s.Sessions().Get(ctx, "s1")
	isFault(t, err, fault.KindNotFound, fault.ReasonSessionNotFound)
	_, err = s.Messages().Get(ctx, "s1", "m1")
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
	ids, err := s.Messages().SessionsWithQueued(ctx)
	must(t, err)
	equal(t, ids, []string{"s2"})

	// A new session under the old id starts with an empty queue.
	createSession(t, s, "s1", "OWNERAAAAA")
	queued, err := s.Messages().ListQueued(ctx, "s1", 10)
	must(t, err)
	equal(t, len(queued), 0)
}

func sessionList(t *testing.T, s ports.Store) {
	ctx := t.Context()
	for _, c := range []struct{ id, owner string }{{"c", "A"}, {"a", "B"}, {"b", "A"}} {
		createSession(t, s, c.id, c.owner)
	}
	equal(t, sessionIDs(t)(s.Sessions().List(ctx, "A")), []string{"b", "c"})
	equal(t, sessionIDs(t)(s.Sessions().List(ctx, "")), []string{"a", "b", "c"})
	equal(t, sessionIDs(t)(s.Sessions().List(ctx, "nobody")), []string{})
}

func sessionListAutoStart(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "a", "A")
	createSession(t, s, "b", "A")
	createSession(t, s, "c", "B")
	_, err := s.Sessions().Update(ctx, "b", func(sess *session.Session) error { return sess.Stop(false, at(1)) })
	must(t, err)
	equal(t, sessionIDs(t)(s.Sessions().ListAutoStart(ctx)), []string{"a", "c"})
}

func sessionConcurrentUpdates(t *testing.T, s ports.Store) {
	const n = 20
	createSession(t, s, "s1", "A")
	run(t, n, func(int) error {
		// Re-entering the current status with a longer reason: a lost update shows
		// as a shorter final reason.
		_, err := s.Sessions().Update(t.Context(), "s1", func(sess *session.Session) error {
			return sess.Transition(sess.Status(), sess.LastError()+"x", at(1))
		})
		return err
	})
	got, err := s.Sessions().Get(t.Context(), "s1")
	must(t, err)
	equal(t, got.LastError(), strings.Repeat("x", n))
}

func sessionIDs(t *testing.T) func([]*session.Session, error) []string {
	return func(list []*session.Session, err error) []string {
		t.Helper()
		must(t, err)
		ids := []string{}
		for _, s := range list {
			ids = append(ids, s.ID())
		}
		return ids
	}
}

// --- users and api keys ---

func newUser(n int) account.User {
	return account.User{ID: fmt.Sprintf("u%d", n), Username: fmt.Sprintf("user%d", n), PasswordHash: "pbkdf2-sha256$1$00$00",
		Role: account.RoleUser, Registry: fmt.Sprintf("REG%07d", n), CreatedAt: at(n)}
}

func userRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	u := newUser(1)
	u.Role = account.RoleAdmin
	u.Limits.MaxStreams = ptr(2) // MaxSessions stays unset: nil, not 0
	must(t, s.Users().Create(ctx, u))
	for name, get := range map[string]func() (account.User, error){
		"Get":           func() (account.User, error) { return s.Users().Get(ctx, u.ID) },
		"GetForUpdate":  func() (account.User, error) { return s.Users().GetForUpdate(ctx, u.ID) },
		"GetByUsername": func() (account.User, error) { return s.Users().GetByUsername(ctx, u.Username) },
		"GetByRegistry": func() (account.User, error) { return s.Users().GetByRegistry(ctx, u.Registry) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		equal(t, normUser(got), normUser(u))
	}
}

func userDuplicate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	u := newUser(1)
	must(t, s.Users().Create(ctx, u))
	sameID, sameName, sameRegistry := newUser(2), newUser(3), newUser(4)
	sameID.ID = u.ID
	sameName.Username = u.Username
	sameRegistry.Registry = u.Registry
	for _, dup := range []account.User{sameID, sameName, sameRegistry} {
		isFault(t, s.Users().Create(ctx, dup), fault.KindConflict, "")
	}
	equal(t, len(usersOf(t, s)), 1)
}

func usernamesIgnoreCase(t *testing.T, s ports.Store) {
	ctx := t.Context()
	u := newUser(1)
	u.Username = "Admin"
	must(t, s.Users().Create(ctx, u))
	for _, name := range []string{"admin", "ADMIN", "aDmIn"} {
		dup := newUser(2)
		dup.Username = name
		isFault(t, s.Users().Create(ctx, dup), fault.KindConflict, "")
		got, err := s.Users().GetByUsername(ctx, name)
		must(t, err)
		equal(t, normUser(got), normUser(u)) // stored as given
	}
	_, err := s.Users().GetByUsername(ctx, "admin2")
	isFault(t, err, fault.KindNotFound, fault.ReasonUserNotFound)
	equal(t, len(usersOf(t, s)), 1)
}

func userNotFound(t *testing.T, s ports.Store) {
	ctx := t.Context()
	_, err := s.Users().Get(ctx, "nope")
	isFault(t, err, fault.KindNotFound, fault.ReasonUserNotFound)
	_, err = s.Users().GetForUpdate(ctx, "nope")
	isFault(t, err, fault.KindNotFound, fault.ReasonUserNotFound)
	_, err = s.Users().GetByUsername(ctx, "nope")
	isFault(t, err, fault.KindNotFound, fault.ReasonUserNotFound)
	_, err = s.Users().GetByRegistry(ctx, "NOPE")
	isFault(t, err, fault.KindNotFound, fault.ReasonUserNotFound)
	isFault(t, s.Users().Update(ctx, newUser(9)), fault.KindNotFound, fault.ReasonUserNotFound)
}

func userUpdate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	u := newUser(1)
	must(t, s.Users().Create(ctx, u))
	changed := u
	changed.PasswordHash, changed.Role = "pbkdf2-sha256$2$11$11", account.RoleAdmin
	changed.Limits = account.Limits{MaxSessions: ptr(0), MaxStreams: ptr(7)}
	changed.Username, changed.Registry = "renamed", "OTHERREG00" // not Update's business
	must(t, s.Users().Update(ctx, changed))
	got, err := s.Users().Get(ctx, u.ID)
	must(t, err)
	want := u
	want.PasswordHash, want.Role, want.Limits = changed.PasswordHash, changed.Role, changed.Limits
	equal(t, normUser(got), normUser(want))
	// Back to the defaults.
	must(t, s.Users().Update(ctx, u))
	got, err = s.Users().Get(ctx, u.ID)
	must(t, err)
	equal(t, normUser(got), normUser(u))
}

// Transactions that each read the user for update, count its sessions and create
// one below a cap of 3 must end with exactly 3: without the lock, concurrent
// transactions on PostgreSQL all count the same sessions and overshoot.
func userGetForUpdate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	u := newUser(1)
	must(t, s.Users().Create(ctx, u))
	const limit = 3
	run(t, 12, func(i int) error {
		return s.InTx(ctx, func(r ports.Repositories) error {
			if _, err := r.Users().GetForUpdate(ctx, u.ID); err != nil {
				return err
			}
			owned, err := r.Sessions().List(ctx, u.Registry)
			if err != nil || len(owned) >= limit {
				return err
			}
			time.Sleep(50 * time.Millisecond) // widen the window between count and create
			sess, err := session.New(fmt.Sprintf("s%d", i), u.Registry, t0)
			if err != nil {
				return err
			}
			return r.Sessions().Create(ctx, sess)
		})
	})
	list, err := s.Sessions().List(ctx, u.Registry)
	must(t, err)
	equal(t, len(list), limit)
}

func userList(t *testing.T, s ports.Store) {
	for _, n := range []int{3, 1, 2} {
		must(t, s.Users().Create(t.Context(), newUser(n)))
	}
	var names []string
	for _, u := range usersOf(t, s) {
		names = append(names, u.Username)
	}
	equal(t, names, []string{"user1", "user2", "user3"})
}

func usersOf(t *testing.T, s ports.Store) []account.User {
	t.Helper()
	list, err := s.Users().List(t.Context())
	must(t, err)
	return list
}

func newKey(n int, userID string) account.APIKey {
	k := account.KeyFromPlain(fmt.Sprintf("k%d", n), userID, fmt.Sprintf("key %d", n), fmt.Sprintf("wst_plain_%d", n), at(n))
	k.CreatedAt = at(n) // KeyFromPlain converts to UTC; keep the zoned instant to test conversion
	return k
}

func apiKeyRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	k := newKey(1, "u1")
	used := at(5)
	k.LastUsedAt = &used
	must(t, s.APIKeys().Create(ctx, k))
	got, err := s.APIKeys().GetByHash(ctx, k.Hash)
	must(t, err)
	equal(t, normKey(got), normKey(k))
	if !got.Active(at(1000)) || got.Kind != account.KindAPI {
		t.Fatalf("a fresh key is not an active permanent key: %+v", got)
	}
}

func apiKeyLoginRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	_, k := account.NewLoginKey("k1", "u1", t0, time.Hour)
	must(t, s.APIKeys().Create(ctx, k))
	got, err := s.APIKeys().GetByHash(ctx, k.Hash)
	must(t, err)
	equal(t, normKey(got), normKey(k))
	list, err := s.APIKeys().ListByUser(ctx, "u1")
	must(t, err)
	equal(t, normKeys(list), normKeys([]account.APIKey{k}))
}

func apiKeyTouch(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	k := newKey(1, "u1")
	must(t, s.APIKeys().Create(ctx, k))
	lastUse := func() *time.Time {
		got, err := s.APIKeys().GetByHash(ctx, k.Hash)
		must(t, err)
		return msPtr(got.LastUsedAt)
	}
	equal(t, lastUse(), (*time.Time)(nil))
	must(t, s.APIKeys().Touch(ctx, k.ID, at(10)))
	equal(t, lastUse(), msPtr(ptr(at(10))))
	must(t, s.APIKeys().Touch(ctx, k.ID, at(5))) // a slower request recording an older use
	equal(t, lastUse(), msPtr(ptr(at(10))))
	must(t, s.APIKeys().Touch(ctx, k.ID, at(70)))
	equal(t, lastUse(), msPtr(ptr(at(70))))
	must(t, s.APIKeys().Touch(ctx, "nope", at(80)))
}

func apiKeyDeleteEndedLogins(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	must(t, s.Users().Create(ctx, newUser(2)))
	login := func(id, userID string, ttl time.Duration) account.APIKey {
		_, k := account.NewLoginKey(id, userID, t0, ttl)
		must(t, s.APIKeys().Create(ctx, k))
		return k
	}
	permanentRevoked := newKey(1, "u1")
	must(t, s.APIKeys().Create(ctx, permanentRevoked))
	must(t, s.APIKeys().Revoke(ctx, permanentRevoked.ID, at(1)))
	live := login("live", "u1", time.Hour)
	login("expired", "u1", time.Minute)
	loggedOut := login("logged-out", "u1", time.Hour)
	must(t, s.APIKeys().Revoke(ctx, loggedOut.ID, at(1)))
	other := login("other-user", "u2", time.Minute)

	must(t, s.APIKeys().DeleteEndedLogins(ctx, "u1", at(60))) // the minute is up: expires_at <= now
	var left []string
	for _, userID := range []string{"u1", "u2"} {
		list, err := s.APIKeys().ListByUser(ctx, userID)
		must(t, err)
		for _, k := range list {
			left = append(left, k.ID)
		}
	}
	slices.Sort(left)
	equal(t, left, []string{permanentRevoked.ID, live.ID, other.ID})
}

func apiKeyDuplicate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	k := newKey(1, "u1")
	must(t, s.APIKeys().Create(ctx, k))
	dup := newKey(2, "u1")
	dup.Hash = k.Hash
	isFault(t, s.APIKeys().Create(ctx, dup), fault.KindConflict, "")
}

func apiKeyNotFound(t *testing.T, s ports.Store) {
	_, err := s.APIKeys().GetByHash(t.Context(), account.HashKey("nope"))
	isFault(t, err, fault.KindNotFound, "")
	isFault(t, s.APIKeys().Revoke(t.Context(), "nope", at(1)), fault.KindNotFound, "")
}

func apiKeyUnknownUser(t *testing.T, s ports.Store) {
	isFault(t, s.APIKeys().Create(t.Context(), newKey(1, "ghost")), fault.KindNotFound, fault.ReasonUserNotFound)
}

func apiKeyListByUser(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	must(t, s.Users().Create(ctx, newUser(2)))
	for _, k := range []account.APIKey{newKey(3, "u1"), newKey(1, "u1"), newKey(2, "u2")} {
		must(t, s.APIKeys().Create(ctx, k))
	}
	list, err := s.APIKeys().ListByUser(ctx, "u1")
	must(t, err)
	equal(t, normKeys(list), normKeys([]account.APIKey{newKey(1, "u1"), newKey(3, "u1")}))
	none, err := s.APIKeys().ListByUser(ctx, "nobody")
	must(t, err)
	equal(t, len(none), 0)
}

func apiKeyRevoke(t *testing.T, s ports.Store) {
	ctx := t.Context()
	must(t, s.Users().Create(ctx, newUser(1)))
	k := newKey(1, "u1")
	must(t, s.APIKeys().Create(ctx, k))
	must(t, s.APIKeys().Revoke(ctx, k.ID, at(10)))
	must(t, s.APIKeys().Revoke(ctx, k.ID, at(20)))
	got, err := s.APIKeys().GetByHash(ctx, k.Hash)
	must(t, err)
	if got.Active(at(11)) || !ms(*got.RevokedAt).Equal(ms(at(10))) {
		t.Fatalf("revoked at %v, want %v", got.RevokedAt, at(10))
	}
}

// --- messages ---

func newMessage(t *testing.T, sessionID, id string, created time.Time) message.Outbound {
	t.Helper()
	m, err := message.NewOutbound(id, sessionID, chat.UserJID("6281234567890"), message.TextContent("hello "+id), created)
	must(t, err)
	return m
}

func messageRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	group, err := chat.ParseJID("120363041234567890@g.us")
	must(t, err)
	mention := chat.UserJID("6281111111111")
	m, err := message.NewOutbound("3EB0ABC", "s1", group, message.Content{
		Kind: message.KindPoll, Text: "halo 👋\nbaris dua", Mentions: []chat.JID{mention}, Forwarded: true,
		Reply: &message.Reference{Chat: group, ID: "3EB0QUOTED", Sender: mention},
		Poll:  &message.Poll{Question: "lunch?", Options: []string{"nasi", "mie"}, SelectableCount: 1},
	}, at(1))
	must(t, err)
	m.Attempts = 2
	m.ExpiresAt = at(86400)
	must(t, s.Messages().Create(ctx, m))
	got, err := s.Messages().Get(ctx, "s1", "3EB0ABC")
	must(t, err)
	equal(t, normMessage(got), normMessage(m))
	// No expiry reads back as none.
	must(t, s.Messages().Create(ctx, newMessage(t, "s1", "3EB0NOEXP", at(1))))
	got, err = s.Messages().Get(ctx, "s1", "3EB0NOEXP")
	must(t, err)
	if !got.ExpiresAt.IsZero() {
		t.Fatalf("a message without expiry reads back expiring at %v", got.ExpiresAt)
	}
}

func messageDuplicate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	must(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(1))))
	isFault(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(2))), fault.KindConflict, "")
	must(t, s.Messages().Create(ctx, newMessage(t, "s2", "m1", at(3))))
}

func messageNotFound(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	_, err := s.Messages().Get(ctx, "s1", "nope")
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
	_, err = s.Messages().Update(ctx, "s1", "nope", func(*message.Outbound) error { return nil })
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
}

func messageUnknownSession(t *testing.T, s ports.Store) {
	isFault(t, s.Messages().Create(t.Context(), newMessage(t, "ghost", "m1", at(1))), fault.KindNotFound, fault.ReasonSessionNotFound)
}

// The send path stores a message with its queued-status event (one round trip where
// the store can): both or, in the caller's transaction, neither.
func messageWithEvent(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	e := newEvent(1)
	must(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(1)), e))
	if _, err := s.Messages().Get(ctx, "s1", "m1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Events().Get(ctx, e.ID); err != nil || string(got.Payload) != payload || got.Type != e.Type || got.SessionID != "s1" {
		t.Fatalf("event %+v, %v; want %+v", got, err, e)
	}
	e2 := newEvent(2)
	isFault(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(2)), e2), fault.KindConflict, "")
	if _, err := s.Events().Get(ctx, e2.ID); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("the event of a message already stored: %v, want none", err)
	}
	err := s.InTx(ctx, func(r ports.Repositories) error { return r.Messages().Create(ctx, newMessage(t, "s1", "m2", at(3)), e) })
	isFault(t, err, fault.KindConflict, "")
	if _, err := s.Messages().Get(ctx, "s1", "m2"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("a message whose event was already stored: %v, want it rolled back with the transaction", err)
	}
	isFault(t, s.Messages().Create(ctx, newMessage(t, "ghost", "m3", at(4)), newEvent(3)), fault.KindNotFound, fault.ReasonSessionNotFound)
}

func messageUpdate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	m := newMessage(t, "s1", "m1", at(1))
	must(t, s.Messages().Create(ctx, m))

	updated, err := s.Messages().Update(ctx, "s1", "m1", func(m *message.Outbound) error {
		m.Attempts++
		m.ExpiresAt = at(60)
		m.Fail(fault.ReasonNotOnWhatsApp, "no route", at(2))
		return nil
	})
	must(t, err)
	got, err := s.Messages().Get(ctx, "s1", "m1")
	must(t, err)
	equal(t, normMessage(got), normMessage(updated))
	equal(t, got.Status, message.StatusFailed)
	equal(t, got.FailReason, "no route")
	equal(t, got.FailCode, fault.ReasonNotOnWhatsApp)
	equal(t, ms(got.ExpiresAt), ms(at(60)))
	equal(t, got.Attempts, 1)

	_, err = s.Messages().Update(ctx, "s1", "m1", func(m *message.Outbound) error {
		m.Attempts = 99
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update error = %v, want fn's error unchanged", err)
	}
	after, err := s.Messages().Get(ctx, "s1", "m1")
	must(t, err)
	equal(t, normMessage(after), normMessage(got))
}

func messageListQueued(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	// The queue is in acceptance order, whatever the ids and even with equal timestamps.
	for _, n := range []int{3, 1, 4, 2} {
		must(t, s.Messages().Create(ctx, newMessage(t, "s1", fmt.Sprintf("m%d", n), at(1))))
	}
	must(t, s.Messages().Create(ctx, newMessage(t, "s2", "other", at(0))))
	_, err := s.Messages().Update(ctx, "s1", "m2", func(m *message.Outbound) error {
		m.Advance(message.StatusSent, "", at(5))
		return nil
	})
	must(t, err)

	equal(t, messageIDs(t)(s.Messages().ListQueued(ctx, "s1", 10)), []string{"m3", "m1", "m4"})
	equal(t, messageIDs(t)(s.Messages().ListQueued(ctx, "s1", 2)), []string{"m3", "m1"})
	equal(t, messageIDs(t)(s.Messages().ListQueued(ctx, "nobody", 10)), []string{})
}

func messageListExpired(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	createSession(t, s, "s2", "A")
	add := func(session, id string, expires time.Time) {
		t.Helper()
		m := newMessage(t, session, id, at(0))
		m.ExpiresAt = expires
		must(t, s.Messages().Create(ctx, m))
	}
	add("s1", "late", at(30))
	add("s1", "soon", at(10))
	add("s1", "due", at(20))
	add("s1", "never", time.Time{})
	add("s1", "sent", at(5))
	add("s2", "other", at(5))
	_, err := s.Messages().Update(ctx, "s1", "sent", func(m *message.Outbound) error {
		m.Advance(message.StatusSent, "", at(1))
		return nil
	})
	must(t, err)

	equal(t, messageIDs(t)(s.Messages().ListExpired(ctx, "s1", at(20), 10)), []string{"soon", "due"}) // at the expiry is expired
	equal(t, messageIDs(t)(s.Messages().ListExpired(ctx, "s1", at(1000), 2)), []string{"soon", "due"})
	equal(t, messageIDs(t)(s.Messages().ListExpired(ctx, "s1", at(9), 10)), []string{})
	equal(t, messageIDs(t)(s.Messages().ListExpired(ctx, "s2", at(1000), 10)), []string{"other"})
}

func messageSessionsWithQueued(t *testing.T, s ports.Store) {
	ctx := t.Context()
	for _, id := range []string{"c", "a", "b"} {
		createSession(t, s, id, "A")
	}
	must(t, s.Messages().Create(ctx, newMessage(t, "c", "m1", at(1))))
	must(t, s.Messages().Create(ctx, newMessage(t, "c", "m2", at(2))))
	must(t, s.Messages().Create(ctx, newMessage(t, "a", "m1", at(1))))
	must(t, s.Messages().Create(ctx, newMessage(t, "b", "m1", at(1))))
	_, err := s.Messages().Update(ctx, "b", "m1", func(m *message.Outbound) error {
		m.Advance(message.StatusSent, "", at(3))
		return nil
	})
	must(t, err)
	ids, err := s.Messages().SessionsWithQueued(ctx)
	must(t, err)
	equal(t, ids, []string{"a", "c"})
}

func messageIDs(t *testing.T) func([]message.Outbound, error) []string {
	return func(list []message.Outbound, err error) []string {
		t.Helper()
		must(t, err)
		ids := []string{}
		for _, m := range list {
			ids = append(ids, m.ID)
		}
		return ids
	}
}

// --- events ---

// payload has unsorted keys, nesting, escapes, non-ASCII and spacing: the store must
// give these exact bytes back.
const payload = `{"zeta":1, "alpha":{"b":[1,2.50,null],"a":"\u00e9 é 👋"},"m":"line\nbreak"}`

func newEvent(n int) event.Envelope {
	return event.Envelope{ID: fmt.Sprintf("01EVENT%04d", n), Type: event.MessageReceived, SessionID: "s1",
		OccurredAt: at(n), Payload: json.RawMessage(payload)}
}

func appendEvents(t *testing.T, s ports.Store, ns ...int) []event.Envelope {
	t.Helper()
	ensureSession(t, s, "s1")
	var out []event.Envelope
	for _, n := range ns {
		e, err := s.Events().Append(t.Context(), newEvent(n))
		must(t, err)
		out = append(out, e)
	}
	return out
}

func eventRoundTrip(t *testing.T, s ports.Store) {
	ctx := t.Context()
	stored := appendEvents(t, s, 1, 2, 3)
	for _, e := range stored {
		equal(t, e.Seq, int64(0))
	}
	got, err := s.Events().Get(ctx, stored[1].ID)
	must(t, err)
	equal(t, string(got.Payload), payload)
	equal(t, normEvent(got), normEvent(stored[1]))
	// Unpublished events wait for the relay, in insertion order, and are not replayed.
	unpublished, err := s.Events().ListUnpublished(ctx, 0)
	must(t, err)
	equal(t, normEvents(unpublished), normEvents(stored))
	replayed, err := s.Events().ListAfter(ctx, 0, 0)
	must(t, err)
	equal(t, len(replayed), 0)
}

func eventDuplicate(t *testing.T, s ports.Store) {
	appendEvents(t, s, 1)
	_, err := s.Events().Append(t.Context(), newEvent(1))
	isFault(t, err, fault.KindConflict, "")
}

func eventNotFound(t *testing.T, s ports.Store) {
	_, err := s.Events().Get(t.Context(), "nope")
	isFault(t, err, fault.KindNotFound, "")
}

func eventGetMany(t *testing.T, s ports.Store) {
	stored := appendEvents(t, s, 1, 2, 3)
	published := publishEvents(t, s, stored[2])
	got, err := s.Events().GetMany(t.Context(), []string{stored[0].ID, "nope", published[0].ID})
	must(t, err)
	slices.SortFunc(got, func(a, b event.Envelope) int { return strings.Compare(a.ID, b.ID) })
	equal(t, normEvents(got), normEvents([]event.Envelope{stored[0], published[0]}))
	none, err := s.Events().GetMany(t.Context(), nil)
	must(t, err)
	equal(t, len(none), 0)
}

// publishEvents marks events published one by one, as the relay does, and returns
// them with their positions.
func publishEvents(t *testing.T, s ports.Store, es ...event.Envelope) []event.Envelope {
	t.Helper()
	out := make([]event.Envelope, 0, len(es))
	for _, e := range es {
		must(t, s.Events().MarkPublished(t.Context(), []string{e.ID}, at(10)))
		got, err := s.Events().Get(t.Context(), e.ID)
		must(t, err)
		out = append(out, got)
	}
	return out
}

func eventListAfter(t *testing.T, s ports.Store) {
	stored := appendEvents(t, s, 1, 2, 3, 4, 5)
	// Published out of insertion order; the fifth is not published.
	published := publishEvents(t, s, stored[1], stored[0], stored[3], stored[2])
	got, err := s.Events().ListAfter(t.Context(), published[0].Seq, 2)
	must(t, err)
	equal(t, normEvents(got), normEvents(published[1:3]))
	all, err := s.Events().ListAfter(t.Context(), 0, 100)
	must(t, err)
	equal(t, normEvents(all), normEvents(published))
	none, err := s.Events().ListAfter(t.Context(), published[3].Seq, 10)
	must(t, err)
	equal(t, len(none), 0)
	// Published later, the fifth comes after every cursor handed out so far.
	last := publishEvents(t, s, stored[4])
	got, err = s.Events().ListAfter(t.Context(), published[3].Seq, 10)
	must(t, err)
	equal(t, normEvents(got), normEvents(last))
}

func eventPublish(t *testing.T, s ports.Store) {
	ctx := t.Context()
	stored := appendEvents(t, s, 1, 2, 3, 4)
	must(t, s.Events().MarkPublished(ctx, []string{stored[0].ID, stored[2].ID, "unknown"}, at(10)))
	must(t, s.Events().MarkPublished(ctx, nil, at(10)))
	got, err := s.Events().ListUnpublished(ctx, 10)
	must(t, err)
	equal(t, normEvents(got), normEvents([]event.Envelope{stored[1], stored[3]}))
	first, err := s.Events().ListUnpublished(ctx, 1)
	must(t, err)
	equal(t, normEvents(first), normEvents(stored[1:2]))
	// Published events stay in the replay log; the others are not in it yet.
	all, err := s.Events().ListAfter(ctx, 0, 10)
	must(t, err)
	equal(t, ids(all), []string{stored[0].ID, stored[2].ID})
}

func eventPositions(t *testing.T, s ports.Store) {
	ctx := t.Context()
	stored := appendEvents(t, s, 1, 2, 3, 4, 5)
	must(t, s.Events().MarkPublished(ctx, []string{stored[2].ID, "unknown", stored[0].ID}, at(10)))
	// Already published ids keep their position and take no new one.
	must(t, s.Events().MarkPublished(ctx, []string{stored[0].ID, stored[4].ID, stored[2].ID, stored[1].ID}, at(11)))
	all, err := s.Events().ListAfter(ctx, 0, 0)
	must(t, err)
	equal(t, ids(all), []string{stored[2].ID, stored[0].ID, stored[4].ID, stored[1].ID})
	for i, e := range all {
		if e.Seq <= 0 || (i > 0 && e.Seq <= all[i-1].Seq) {
			t.Fatalf("positions %d, %d are not positive and increasing", all[max(i-1, 0)].Seq, e.Seq)
		}
		got, err := s.Events().Get(ctx, e.ID)
		must(t, err)
		equal(t, got.Seq, e.Seq)
	}
	// An unpublished event has no position yet.
	got, err := s.Events().Get(ctx, stored[3].ID)
	must(t, err)
	equal(t, got.Seq, int64(0))
}

// oddPayloads are what WhatsApp text can carry into an event: NUL and lone
// surrogates escaped as encoding/json writes them (PostgreSQL's jsonb refuses
// both), and raw NUL, invalid UTF-8 and a UTF-16 surrogate encoded as UTF-8
// (which PostgreSQL's text refuses).
var oddPayloads = []string{
	`{"text":"a\u0000b"}`,
	`{"text":"lone \ud800 surrogate"}`,
	"{\"text\":\"raw \x00 NUL\"}",
	"{\"text\":\"invalid \xff\xfe UTF-8\"}",
	"{\"text\":\"surrogate \xed\xa0\x80 as UTF-8\"}",
}

func eventPayloadBytes(t *testing.T, s ports.Store) {
	ctx := t.Context()
	var stored []event.Envelope
	for i, p := range oddPayloads {
		e := newEvent(i + 1)
		ensureSession(t, s, e.SessionID)
		e.Payload = json.RawMessage(p)
		_, err := s.Events().Append(ctx, e)
		must(t, err)
		stored = append(stored, e)
	}
	check := func(how string, got []event.Envelope) {
		t.Helper()
		if len(got) != len(stored) {
			t.Fatalf("%s: %d events, want %d", how, len(got), len(stored))
		}
		for i, e := range got {
			if string(e.Payload) != oddPayloads[i] {
				t.Fatalf("%s: payload %q, want %q", how, e.Payload, oddPayloads[i])
			}
		}
	}
	unpublished, err := s.Events().ListUnpublished(ctx, 0)
	must(t, err)
	check("list unpublished", unpublished)
	var got []event.Envelope
	for _, e := range stored {
		g, err := s.Events().Get(ctx, e.ID)
		must(t, err)
		got = append(got, g)
	}
	check("get", got)
	publishEvents(t, s, stored...)
	replayed, err := s.Events().ListAfter(ctx, 0, 0)
	must(t, err)
	check("list after", replayed)
	replayed, err = s.Events().ListAfterFor(ctx, []string{"s1"}, 0, 0)
	must(t, err)
	check("list after for", replayed)
}

// --- parked events ---

func newParked(n int, payload string) event.Parked {
	return event.Parked{ID: fmt.Sprintf("01PARKED%04d", n), SessionID: "s1", Kind: "TransportMessage",
		Payload: []byte(payload), Reason: "refused", ParkedAt: at(n)}
}

func normParked(ps []event.Parked) []event.Parked {
	out := []event.Parked{}
	for _, p := range ps {
		p.ParkedAt = ms(p.ParkedAt)
		out = append(out, p)
	}
	return out
}

func parkedRoundTrip(t *testing.T, s ports.Store) {
	var want []event.Parked
	for i, p := range oddPayloads {
		want = append(want, newParked(i+1, p))
	}
	for _, p := range want {
		must(t, s.Parked().Park(t.Context(), p))
	}
	got, err := s.Parked().List(t.Context(), 0)
	must(t, err)
	slices.Reverse(want)
	equal(t, normParked(got), normParked(want))
}

func parkedDuplicate(t *testing.T, s ports.Store) {
	must(t, s.Parked().Park(t.Context(), newParked(1, "{}")))
	isFault(t, s.Parked().Park(t.Context(), newParked(1, `{"other":1}`)), fault.KindConflict, "")
}

func parkedList(t *testing.T, s ports.Store) {
	ctx := t.Context()
	empty, err := s.Parked().List(ctx, 0)
	must(t, err)
	equal(t, len(empty), 0)
	for _, n := range []int{2, 1, 3} {
		must(t, s.Parked().Park(ctx, newParked(n, "{}")))
	}
	got, err := s.Parked().List(ctx, 2)
	must(t, err)
	equal(t, normParked(got), normParked([]event.Parked{newParked(3, "{}"), newParked(2, "{}")}))
}

func ids(es []event.Envelope) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// RunEventReopen checks that replay positions survive a restart: open must return a
// new store on the same database at every call.
func RunEventReopen(t *testing.T, open func(t *testing.T) ports.Store) {
	ctx := t.Context()
	first := open(t)
	stored := appendEvents(t, first, 1, 2, 3)
	before := publishEvents(t, first, stored[0], stored[1])

	second := open(t)
	after := publishEvents(t, second, stored[2])
	if after[0].Seq <= before[1].Seq {
		t.Fatalf("position %d after reopening is not after %d", after[0].Seq, before[1].Seq)
	}
	all, err := second.Events().ListAfter(ctx, 0, 0)
	must(t, err)
	equal(t, normEvents(all), normEvents(append(before, after...)))
}

// --- deliveries ---

func newDelivery(id, eventID, url string, next time.Time) webhook.Delivery {
	d := webhook.NewDelivery(id, eventID, "s1", "", url, at(0))
	d.NextAttemptAt, d.CreatedAt, d.RetryFrom = next, next, next
	return d
}

func deliveryRoundTrip(t *testing.T, s ports.Store) {
	d := newDelivery("d1", "e1", "https://example.test/hook?x=1", at(1))
	d.SubscriptionID, d.RetryFrom = "sub-1", at(3)
	d.Attempts, d.LastError, d.LastStatus, d.UpdatedAt = 2, "timeout", 503, at(2)
	createDeliveries(t, s, d)
	got, err := s.Deliveries().Get(t.Context(), "d1")
	must(t, err)
	equal(t, normDelivery(got), normDelivery(d))
}

func deliveryDuplicate(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureEvent(t, s, "e1", "s1")
	ensureEvent(t, s, "e2", "s1")
	// A duplicate id is a conflict even when its event does not exist.
	must(t, s.Deliveries().Create(ctx, newDelivery("d1", "e1", "https://a.test", at(1))))
	isFault(t, s.Deliveries().Create(ctx, newDelivery("d2", "e1", "https://a.test", at(2))), fault.KindConflict, "")
	isFault(t, s.Deliveries().Create(ctx, newDelivery("d1", "e9", "https://z.test", at(2))), fault.KindConflict, "")
	must(t, s.Deliveries().Create(ctx, newDelivery("d3", "e1", "https://b.test", at(2))))
	must(t, s.Deliveries().Create(ctx, newDelivery("d4", "e2", "https://a.test", at(2))))
	// Another subscription may target the same URL with the same event.
	other := newDelivery("d5", "e1", "https://a.test", at(2))
	other.SubscriptionID = "sub-2"
	must(t, s.Deliveries().Create(ctx, other))
	again := newDelivery("d6", "e1", "https://a.test", at(2))
	again.SubscriptionID = "sub-2"
	isFault(t, s.Deliveries().Create(ctx, again), fault.KindConflict, "")
}

func deliveryCreateMany(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureEvent(t, s, "e1", "s1")
	ensureEvent(t, s, "e2", "s1")
	must(t, s.Deliveries().Create(ctx, newDelivery("d0", "e1", "https://a.test", at(1))))
	full := newDelivery("d1", "e1", "https://b.test/hook?x=1", at(1))
	full.SubscriptionID, full.RetryFrom = "sub-1", at(3)
	full.Attempts, full.LastError, full.LastStatus, full.UpdatedAt = 2, "timeout", 503, at(2)
	// One line (session, subscription, url): e2's delivery before e1's, as the batch has them.
	later, earlier := newDelivery("d2", "e2", "https://c.test", at(1)), newDelivery("d3", "e1", "https://c.test", at(1))
	must(t, s.Deliveries().CreateMany(ctx, []webhook.Delivery{full, later, newDelivery("dx", "e1", "https://a.test", at(1)), earlier}))
	must(t, s.Deliveries().CreateMany(ctx, nil))
	got, err := s.Deliveries().Get(ctx, "d1")
	must(t, err)
	equal(t, normDelivery(got), normDelivery(full))
	_, err = s.Deliveries().Get(ctx, "dx") // e1 to a.test was scheduled already
	isFault(t, err, fault.KindNotFound, "")
	due, err := s.Deliveries().ClaimDue(ctx, at(5), time.Minute, 10, 10)
	must(t, err)
	var line []string
	for _, d := range due {
		if d.URL == "https://c.test" {
			line = append(line, d.ID)
		}
	}
	equal(t, line, []string{"d2", "d3"})
}

func deliveryCreateManyGone(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ensureEvent(t, s, "e1", "s1")
	err := s.Deliveries().CreateMany(ctx, []webhook.Delivery{newDelivery("d1", "e1", "https://a.test", at(1)),
		newDelivery("d2", "gone", "https://a.test", at(1))})
	isFault(t, err, fault.KindNotFound, "")
	_, err = s.Deliveries().Get(ctx, "d1")
	isFault(t, err, fault.KindNotFound, "")
}

func deliverySave(t *testing.T, s ports.Store) {
	ctx := t.Context()
	d := newDelivery("d1", "e1", "https://a.test", at(1))
	createDeliveries(t, s, d)
	webhook.DefaultPolicy.Record(&d, webhook.Outcome{HTTPStatus: 502}, at(3))
	must(t, s.Deliveries().Save(ctx, d))
	got, err := s.Deliveries().Get(ctx, "d1")
	must(t, err)
	equal(t, normDelivery(got), normDelivery(d))

	_, err = s.Deliveries().Get(ctx, "nope")
	isFault(t, err, fault.KindNotFound, "")
	isFault(t, s.Deliveries().Save(ctx, newDelivery("nope", "e1", "https://x.test", at(1))), fault.KindNotFound, "")
}

func deliverySaveMany(t *testing.T, s ports.Store) {
	ctx := t.Context()
	ds := []webhook.Delivery{newDelivery("d1", "e1", "https://a.test", at(1)), newDelivery("d2", "e1", "https://b.test", at(1)),
		newDelivery("d3", "e2", "https://a.test", at(1))}
	createDeliveries(t, s, ds...)
	claimed, err := s.Deliveries().ClaimDue(ctx, at(2), time.Minute, 10, 10)
	must(t, err)
	equal(t, len(claimed), 3)
	webhook.DefaultPolicy.Record(&ds[0], webhook.Outcome{HTTPStatus: 204}, at(3))
	webhook.DefaultPolicy.Record(&ds[1], webhook.Outcome{HTTPStatus: 502}, at(3))
	ds[1].LastError = "bad gateway"
	webhook.DefaultPolicy.Record(&ds[2], webhook.Outcome{Err: errors.New("timeout")}, at(4))
	must(t, s.Deliveries().SaveMany(ctx, ds))
	must(t, s.Deliveries().SaveMany(ctx, nil))
	for _, d := range ds {
		got, err := s.Deliveries().Get(ctx, d.ID)
		must(t, err)
		equal(t, normDelivery(got), normDelivery(d))
	}
	// Saved, their claims are released: the one retried is claimed again once due.
	again, err := s.Deliveries().ClaimDue(ctx, ds[1].NextAttemptAt, time.Minute, 10, 10)
	must(t, err)
	if !slices.ContainsFunc(again, func(d webhook.Delivery) bool { return d.ID == "d2" }) {
		t.Fatalf("claimed after the save: %+v, want d2 among them", again)
	}

	before, err := s.Deliveries().Get(ctx, "d3")
	must(t, err)
	changed := before
	changed.Attempts, changed.LastError = before.Attempts+5, "changed"
	isFault(t, s.Deliveries().SaveMany(ctx, []webhook.Delivery{changed, newDelivery("nope", "e1", "https://x.test", at(1))}),
		fault.KindNotFound, "")
	got, err := s.Deliveries().Get(ctx, "d3")
	must(t, err)
	equal(t, normDelivery(got), normDelivery(before))
}

func deliveryListByEvent(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createDeliveries(t, s, newDelivery("d2", "e1", "https://b.test", at(2)), newDelivery("d1", "e1", "https://a.test", at(1)),
		newDelivery("d3", "e2", "https://a.test", at(1)))
	equal(t, deliveryIDs(t)(s.Deliveries().ListByEvent(ctx, "e1")), []string{"d1", "d2"})
	equal(t, deliveryIDs(t)(s.Deliveries().ListByEvent(ctx, "none")), []string{})
}

func deliveryIDs(t *testing.T) func([]webhook.Delivery, error) []string {
	return func(list []webhook.Delivery, err error) []string {
		t.Helper()
		must(t, err)
		ids := []string{}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
		return ids
	}
}

// --- transactions ---

// writeEverything writes one row of each kind through r and reads each back.
func writeEverything(t *testing.T, r ports.Repositories) error {
	ctx := t.Context()
	if err := r.Sessions().Create(ctx, newSession(t, "s1", "A")); err != nil {
		return err
	}
	if err := r.Users().Create(ctx, newUser(1)); err != nil {
		return err
	}
	if err := r.APIKeys().Create(ctx, newKey(1, "u1")); err != nil {
		return err
	}
	if err := r.Messages().Create(ctx, newMessage(t, "s1", "m1", at(1))); err != nil {
		return err
	}
	if _, err := r.Events().Append(ctx, newEvent(1)); err != nil {
		return err
	}
	if err := r.Deliveries().Create(ctx, newDelivery("d1", newEvent(1).ID, "https://a.test", at(1))); err != nil {
		return err
	}
	if _, err := r.Sessions().Get(ctx, "s1"); err != nil {
		return err
	}
	if _, err := r.Messages().Get(ctx, "s1", "m1"); err != nil {
		return err
	}
	if _, err := r.Events().Get(ctx, newEvent(1).ID); err != nil {
		return err
	}
	_, err := r.Deliveries().Get(ctx, "d1")
	return err
}

// visible reports which of writeEverything's rows the store shows.
func visible(t *testing.T, s ports.Store) []string {
	t.Helper()
	ctx := t.Context()
	var found []string
	check := func(name string, err error) {
		switch {
		case err == nil:
			found = append(found, name)
		case !fault.Is(err, fault.KindNotFound):
			t.Fatalf("%s: %v", name, err)
		}
	}
	_, err := s.Sessions().Get(ctx, "s1")
	check("session", err)
	_, err = s.Users().Get(ctx, "u1")
	check("user", err)
	_, err = s.APIKeys().GetByHash(ctx, newKey(1, "u1").Hash)
	check("api key", err)
	_, err = s.Messages().Get(ctx, "s1", "m1")
	check("message", err)
	_, err = s.Events().Get(ctx, newEvent(1).ID)
	check("event", err)
	_, err = s.Deliveries().Get(ctx, "d1")
	check("delivery", err)
	return found
}

func txCommit(t *testing.T, s ports.Store) {
	must(t, s.InTx(t.Context(), func(r ports.Repositories) error { return writeEverything(t, r) }))
	equal(t, visible(t, s), []string{"session", "user", "api key", "message", "event", "delivery"})
}

func txRollback(t *testing.T, s ports.Store) {
	err := s.InTx(t.Context(), func(r ports.Repositories) error {
		must(t, writeEverything(t, r))
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("InTx error = %v, want fn's error unchanged", err)
	}
	equal(t, visible(t, s), []string(nil))
	unpublished, err := s.Events().ListUnpublished(t.Context(), 10)
	must(t, err)
	equal(t, len(unpublished), 0)
	// The store is still usable and the rolled-back keys are free.
	txCommit(t, s)
}

func txUpdateRollsBack(t *testing.T, s ports.Store) {
	ctx := t.Context()
	createSession(t, s, "s1", "A")
	must(t, s.Messages().Create(ctx, newMessage(t, "s1", "m1", at(1))))
	err := s.InTx(ctx, func(r ports.Repositories) error {
		_, err := r.Sessions().Update(ctx, "s1", func(sess *session.Session) error { return sess.Stop(true, at(2)) })
		must(t, err)
		_, err = r.Messages().Update(ctx, "s1", "m1", func(m *message.Outbound) error {
			m.Advance(message.StatusSent, "", at(2))
			return nil
		})
		must(t, err)
		// The transaction sees its own updates.
		sess, err := r.Sessions().Get(ctx, "s1")
		must(t, err)
		equal(t, sess.Status(), session.StatusStopped)
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("InTx error = %v, want fn's error unchanged", err)
	}
	sess, err := s.Sessions().Get(ctx, "s1")
	must(t, err)
	equal(t, sess.Status(), session.StatusStarting)
	m, err := s.Messages().Get(ctx, "s1", "m1")
	must(t, err)
	equal(t, m.Status, message.StatusQueued)
}

func txConcurrent(t *testing.T, s ports.Store) {
	const n = 20
	createSession(t, s, "s1", "A")
	run(t, n, func(i int) error {
		return s.InTx(t.Context(), func(r ports.Repositories) error {
			if _, err := r.Sessions().Update(t.Context(), "s1", func(sess *session.Session) error {
				return sess.Transition(sess.Status(), sess.LastError()+"x", at(1))
			}); err != nil {
				return err
			}
			_, err := r.Events().Append(t.Context(), newEvent(i))
			return err
		})
	})
	sess, err := s.Sessions().Get(t.Context(), "s1")
	must(t, err)
	equal(t, sess.LastError(), strings.Repeat("x", n))
	all, err := s.Events().ListUnpublished(t.Context(), 0)
	must(t, err)
	equal(t, len(all), n)
}

// --- helpers ---

// ensureSession creates session id unless it exists: events, messages, cooldowns
// and idempotency keys belong to one.
func ensureSession(t *testing.T, s ports.Store, id string) {
	t.Helper()
	if err := s.Sessions().Create(t.Context(), newSession(t, id, "A")); err != nil && !fault.Is(err, fault.KindConflict) {
		t.Fatal(err)
	}
}

// ensureEvent appends an event of sessionID under id unless it exists: deliveries
// belong to one.
func ensureEvent(t *testing.T, s ports.Store, id, sessionID string) {
	t.Helper()
	ensureSession(t, s, sessionID)
	e := newEvent(0)
	e.ID, e.SessionID = id, sessionID
	if _, err := s.Events().Append(t.Context(), e); err != nil && !fault.Is(err, fault.KindConflict) {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run calls fn from n goroutines at once and fails on any error.
func run(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if err := fn(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func isFault(t *testing.T, err error, k fault.Kind, r fault.Reason) {
	t.Helper()
	fe, ok := fault.As(err)
	if !ok || fe.Kind != k || fe.Reason != r {
		t.Fatalf("error %v (%#v): want fault kind %d reason %q", err, err, k, r)
	}
}

func ptr[T any](v T) *T { return &v }

func equal(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("\n got: %+v\nwant: %+v", got, want)
	}
}

// Stores keep at least milliseconds and may return another zone; compare instants
// at millisecond precision in UTC.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func msPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

func normSession(s *session.Session) session.Snapshot {
	snap := s.Snapshot()
	snap.CreatedAt, snap.UpdatedAt, snap.LastConnAt = ms(snap.CreatedAt), ms(snap.UpdatedAt), msPtr(snap.LastConnAt)
	return snap
}

func normUser(u account.User) account.User {
	u.CreatedAt = ms(u.CreatedAt)
	return u
}

func normKey(k account.APIKey) account.APIKey {
	k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt = ms(k.CreatedAt), msPtr(k.ExpiresAt), msPtr(k.RevokedAt), msPtr(k.LastUsedAt)
	return k
}

func normKeys(ks []account.APIKey) []account.APIKey {
	out := []account.APIKey{}
	for _, k := range ks {
		out = append(out, normKey(k))
	}
	return out
}

func normMessage(m message.Outbound) message.Outbound {
	m.CreatedAt, m.UpdatedAt = ms(m.CreatedAt), ms(m.UpdatedAt)
	if !m.ExpiresAt.IsZero() {
		m.ExpiresAt = ms(m.ExpiresAt)
	}
	return m
}

func normEvent(e event.Envelope) event.Envelope {
	e.OccurredAt = ms(e.OccurredAt)
	return e
}

func normEvents(es []event.Envelope) []event.Envelope {
	out := []event.Envelope{}
	for _, e := range es {
		out = append(out, normEvent(e))
	}
	return out
}

func normDelivery(d webhook.Delivery) webhook.Delivery {
	d.NextAttemptAt, d.CreatedAt, d.RetryFrom, d.UpdatedAt = ms(d.NextAttemptAt), ms(d.CreatedAt), ms(d.RetryFrom), ms(d.UpdatedAt)
	return d
}
