package access

import (
	"sync"
	"time"

	"github.com/warest-go/warest/domain/account"
)

// KeyTTL bounds how stale a cached API key may be: a key revoked, or a user changed,
// on another node (or in the database directly) is seen within KeyTTL. Changes made
// through this process's use cases take effect at once (Keys.Forget).
const KeyTTL = time.Second

// maxKeys bounds the cache; past it, the cache starts over. Only keys that
// authenticated are cached, so random keys cannot fill it.
const maxKeys = 10_000

// Keys caches what an API key authenticates as (its record and its user), by the
// key's hash, so a request does not read the database to know its caller.
type Keys struct {
	mu      sync.Mutex
	entries map[string]cachedKey
	gen     uint64 // counts Forget calls
}

type cachedKey struct {
	key     account.APIKey
	user    account.User
	expires time.Time
}

// NewKeys returns an empty cache.
func NewKeys() *Keys { return &Keys{entries: map[string]cachedKey{}} }

// Get returns the key and user cached under hash, unless older than KeyTTL at now.
// On a miss, gen is what Put needs.
func (c *Keys) Get(hash string, now time.Time) (k account.APIKey, u account.User, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.expires) {
		return account.APIKey{}, account.User{}, false, c.gen
	}
	return e.key, e.user, true, c.gen
}

// Put caches k and its user u under hash, read from the database at now after a
// Get that returned gen. A Forget since then means they may predate a revocation:
// they are not cached.
func (c *Keys) Put(hash string, k account.APIKey, u account.User, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.entries) >= maxKeys {
		clear(c.entries)
	}
	c.entries[hash] = cachedKey{key: k, user: u, expires: now.Add(KeyTTL)}
}

// Touched records that k's use at `at` was written, so the cached copy does not
// ask for the write again.
func (c *Keys) Touched(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[hash]; ok {
		e.key.LastUsedAt = &at
		c.entries[hash] = e
	}
}

// Forget empties the cache: a key was revoked or a user changed. Both are rare, so
// forgetting everything is simpler than finding the entries concerned. A nil cache
// has nothing to forget.
func (c *Keys) Forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.gen++
}
