package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/warest-go/warest/application/command"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/appworld"
)

// errReadOnly is what the stores make of a database refusing writes.
var errReadOnly = fault.Wrap(errors.New("sqlite: hit counter: attempt to write a readonly database (8)"),
	fault.KindUnavailable, "", "Database unavailable, retry later")

// brokenStore is the store whose limit counters (hit by every authenticated
// call), API key lookups or session lists (read by a handler) fail, when told to, as
// a store that cannot serve does.
type brokenStore struct {
	*appworld.SQLiteStore
	counters, keys, sessions atomic.Bool
}

type brokenSessions struct{ ports.SessionRepository }

func (brokenSessions) List(context.Context, string) ([]*session.Session, error) {
	return nil, errReadOnly
}

type brokenRepos struct {
	ports.Repositories
	b *brokenStore
}

type brokenCounters struct{ b *brokenStore }

type brokenKeys struct {
	ports.APIKeyRepository
	b *brokenStore
}

func (b *brokenStore) InTx(ctx context.Context, fn func(ports.Repositories) error) error {
	return b.SQLiteStore.InTx(ctx, func(r ports.Repositories) error { return fn(brokenRepos{r, b}) })
}
func (b *brokenStore) InGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	return b.SQLiteStore.InGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error { return fn(ctx, brokenRepos{r, b}) })
}
func (b *brokenStore) InterleavedGroupTx(ctx context.Context, lane string, fn func(context.Context, ports.Repositories) error) error {
	return b.SQLiteStore.InterleavedGroupTx(ctx, lane, func(ctx context.Context, r ports.Repositories) error { return fn(ctx, brokenRepos{r, b}) })
}
func (b *brokenStore) Counters() ports.CounterRepository {
	return brokenRepos{b.SQLiteStore, b}.Counters()
}
func (b *brokenStore) APIKeys() ports.APIKeyRepository {
	return brokenRepos{b.SQLiteStore, b}.APIKeys()
}
func (b *brokenStore) Sessions() ports.SessionRepository {
	return brokenRepos{b.SQLiteStore, b}.Sessions()
}

func (r brokenRepos) Sessions() ports.SessionRepository {
	if r.b.sessions.Load() {
		return brokenSessions{r.Repositories.Sessions()}
	}
	return r.Repositories.Sessions()
}

func (r brokenRepos) Counters() ports.CounterRepository {
	if r.b.counters.Load() {
		return brokenCounters{r.b}
	}
	return r.Repositories.Counters()
}

func (r brokenRepos) APIKeys() ports.APIKeyRepository {
	return brokenKeys{r.Repositories.APIKeys(), r.b}
}

func (brokenCounters) Hit(context.Context, ...ports.CounterHit) ([]int64, error) {
	return nil, errReadOnly
}

func (k brokenKeys) GetByHash(ctx context.Context, hash string) (account.APIKey, error) {
	if k.b.keys.Load() {
		return account.APIKey{}, errReadOnly
	}
	return k.APIKeyRepository.GetByHash(ctx, hash)
}

// expectUnavailable checks a 503 in the envelope with Retry-After, logged once at
// ERROR with its cause.
func expectUnavailable(t *testing.T, a *testApp, r response) {
	t.Helper()
	expect(t, r, http.StatusServiceUnavailable, 8001)
	if r.hdr.Get("Retry-After") != "5" {
		t.Fatalf("Retry-After %q, want 5", r.hdr.Get("Retry-After"))
	}
	if n := strings.Count(a.logs.String(), "level=ERROR msg=\"request failed\""); n != 1 || !strings.Contains(a.logs.String(), "readonly") {
		t.Fatalf("want one ERROR line with the cause:\n%s", a.logs.String())
	}
}

func TestAFailingStoreIs503NotALimit(t *testing.T) {
	t.Parallel()
	store := &brokenStore{SQLiteStore: appworld.NewStore(t)}
	a := newAppOn(t, store, func(c *command.Config) { c.Limits.Cooldown = 0 })
	key, _ := a.user(t, "alice")
	store.counters.Store(true)
	expectUnavailable(t, a, a.do(t, http.MethodGet, "/api/v1/session/list", key, nil))
}

// A handler's own read failing answers like a middleware's: 503 with Retry-After.
func TestAFailingReadInAHandlerIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	store := &brokenStore{SQLiteStore: appworld.NewStore(t)}
	a := newAppOn(t, store, func(c *command.Config) { c.Limits.Cooldown = 0 })
	key, _ := a.user(t, "alice")
	store.sessions.Store(true)
	expectUnavailable(t, a, a.do(t, http.MethodGet, "/api/v1/session/list", key, nil))
}

func TestAFailingKeyLookupIs503NotUnauthorized(t *testing.T) {
	t.Parallel()
	store := &brokenStore{SQLiteStore: appworld.NewStore(t)}
	a := newAppOn(t, store, func(c *command.Config) { c.Limits.Cooldown = 0 })
	key, _ := a.user(t, "alice")
	store.keys.Store(true)
	expectUnavailable(t, a, a.do(t, http.MethodGet, "/api/v1/session/list", key, nil))
	r := a.do(t, http.MethodGet, "/docs/openapi.json", key, nil)
	if r.code != http.StatusServiceUnavailable || r.env.Code != 8001 || r.hdr.Get("Retry-After") != "5" {
		t.Fatalf("docs with a key while the store is down: %d %s", r.code, r.body)
	}
}
