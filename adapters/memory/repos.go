package memory

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/domain/webhook"
	"github.com/warest-go/warest/ports"
)

type sessions repos

// Create refuses an id that exists in any case, as the SQL stores' lower(id) index does.
func (r sessions) Create(_ context.Context, s *session.Session) error {
	return r.with(func(st *state) error {
		for id := range st.sessions {
			if strings.EqualFold(id, s.ID()) {
				return fault.Conflict(fault.ReasonSessionExists, "session %s already exists", s.ID())
			}
		}
		st.sessions[s.ID()] = s.Snapshot()
		return nil
	})
}

func (r sessions) Get(_ context.Context, id string) (*session.Session, error) {
	var out *session.Session
	err := r.with(func(st *state) error {
		snap, ok := st.sessions[id]
		if !ok {
			return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
		}
		out = session.Rehydrate(snap)
		return nil
	})
	return out, err
}

func (r sessions) Update(_ context.Context, id string, fn func(*session.Session) error) (*session.Session, error) {
	var out *session.Session
	err := r.with(func(st *state) error {
		snap, ok := st.sessions[id]
		if !ok {
			return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
		}
		s := session.Rehydrate(snap)
		if err := fn(s); err != nil {
			return err
		}
		st.sessions[id] = s.Snapshot()
		out = s
		return nil
	})
	return out, err
}

// Delete removes the session with everything that belongs to it, as the SQL stores'
// foreign keys do.
func (r sessions) Delete(_ context.Context, id string) error {
	return r.with(func(st *state) error {
		if _, ok := st.sessions[id]; !ok {
			return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
		}
		delete(st.sessions, id)
		for k, m := range st.messages {
			if k.sessionID == id {
				delete(st.messages, k)
				delete(st.messageSeq, k)
				delete(st.blobsGone, m.Content.BlobKey())
			}
		}
		st.events = slices.DeleteFunc(st.events, func(e storedEvent) bool { return e.env.SessionID == id })
		for did, d := range st.deliveries {
			if d.SessionID == id {
				delete(st.deliveries, did)
				delete(st.hooks.deliverySeq, did)
				delete(st.hooks.leases, did)
			}
		}
		maps.DeleteFunc(st.hooks.subscriptions, func(_ string, sub webhook.Subscription) bool { return sub.SessionID == id })
		maps.DeleteFunc(st.limits.cooldowns, func(k cooldownKey, _ time.Time) bool { return k.sessionID == id })
		maps.DeleteFunc(st.limits.idem, func(_ idemKey, rec ports.IdempotencyRecord) bool { return rec.SessionID == id })
		st.inbound.deleteSession(id)
		return nil
	})
}

// sessionGone refuses a row of an unknown session, as the SQL stores' foreign keys do.
func (st *state) sessionGone(id string) error {
	if _, ok := st.sessions[id]; !ok {
		return fault.NotFound(fault.ReasonSessionNotFound, "session %s not found", id)
	}
	return nil
}

func (r sessions) List(_ context.Context, owner string) ([]*session.Session, error) {
	return r.list(func(s session.Snapshot) bool { return owner == "" || s.Owner == owner })
}

func (r sessions) ListAutoStart(_ context.Context) ([]*session.Session, error) {
	return r.list(func(s session.Snapshot) bool { return s.AutoStart })
}

func (r sessions) list(keep func(session.Snapshot) bool) ([]*session.Session, error) {
	out := []*session.Session{}
	err := r.with(func(st *state) error {
		for _, snap := range st.sessions {
			if keep(snap) {
				out = append(out, session.Rehydrate(snap))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b *session.Session) int { return cmp.Compare(a.ID(), b.ID()) })
	return out, err
}

type users repos

func (r users) Create(_ context.Context, u account.User) error {
	return r.with(func(st *state) error {
		for _, other := range st.users {
			if other.ID == u.ID || strings.EqualFold(other.Username, u.Username) || other.Registry == u.Registry {
				return fault.Conflict("", "user %s, username %s or registry %s already exists", u.ID, u.Username, u.Registry)
			}
		}
		u.Limits = cloneLimits(u.Limits)
		st.users[u.ID] = u
		return nil
	})
}

// cloneLimits keeps callers from changing stored limits through their pointers.
func cloneLimits(l account.Limits) account.Limits {
	return account.Limits{MaxSessions: clonePtr(l.MaxSessions), MaxStreams: clonePtr(l.MaxStreams)}
}

func (r users) Get(_ context.Context, id string) (account.User, error) {
	return r.find(func(u account.User) bool { return u.ID == id }, "user "+id)
}

// GetForUpdate is Get: memory transactions already run one at a time.
func (r users) GetForUpdate(ctx context.Context, id string) (account.User, error) {
	return r.Get(ctx, id)
}

func (r users) GetByUsername(_ context.Context, username string) (account.User, error) {
	return r.find(func(u account.User) bool { return strings.EqualFold(u.Username, username) }, "user "+username)
}

func (r users) GetByRegistry(_ context.Context, registry string) (account.User, error) {
	return r.find(func(u account.User) bool { return u.Registry == registry }, "user of registry "+registry)
}

func (r users) find(match func(account.User) bool, what string) (account.User, error) {
	var out account.User
	err := r.with(func(st *state) error {
		for _, u := range st.users {
			if match(u) {
				out = u
				out.Limits = cloneLimits(u.Limits)
				return nil
			}
		}
		return fault.NotFound(fault.ReasonUserNotFound, "%s not found", what)
	})
	return out, err
}

func (r users) Update(_ context.Context, u account.User) error {
	return r.with(func(st *state) error {
		cur, ok := st.users[u.ID]
		if !ok {
			return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", u.ID)
		}
		cur.PasswordHash, cur.Role, cur.Limits = u.PasswordHash, u.Role, cloneLimits(u.Limits)
		st.users[u.ID] = cur
		return nil
	})
}

func (r users) List(_ context.Context) ([]account.User, error) {
	out := []account.User{}
	err := r.with(func(st *state) error {
		for _, u := range st.users {
			u.Limits = cloneLimits(u.Limits)
			out = append(out, u)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b account.User) int { return cmp.Compare(a.Username, b.Username) })
	return out, err
}

type apiKeys repos

func (r apiKeys) Create(_ context.Context, k account.APIKey) error {
	return r.with(func(st *state) error {
		if _, ok := st.users[k.UserID]; !ok {
			return fault.NotFound(fault.ReasonUserNotFound, "user %s not found", k.UserID)
		}
		for _, other := range st.keys {
			if other.ID == k.ID || other.Hash == k.Hash {
				return fault.Conflict("", "api key %s already exists", k.ID)
			}
		}
		st.keys[k.ID] = apiKeyCopy(k)
		return nil
	})
}

func (r apiKeys) GetByHash(_ context.Context, hash string) (account.APIKey, error) {
	var out account.APIKey
	err := r.with(func(st *state) error {
		for _, k := range st.keys {
			if k.Hash == hash {
				out = apiKeyCopy(k)
				return nil
			}
		}
		return fault.NotFound("", "api key not found")
	})
	return out, err
}

func (r apiKeys) ListByUser(_ context.Context, userID string) ([]account.APIKey, error) {
	out := []account.APIKey{}
	err := r.with(func(st *state) error {
		for _, k := range st.keys {
			if k.UserID == userID {
				out = append(out, apiKeyCopy(k))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b account.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// Revoke keeps the first revocation time when called twice.
func (r apiKeys) Revoke(_ context.Context, id string, at time.Time) error {
	return r.with(func(st *state) error {
		k, ok := st.keys[id]
		if !ok {
			return fault.NotFound("", "api key %s not found", id)
		}
		if k.RevokedAt == nil {
			k.RevokedAt = &at
			st.keys[id] = k
		}
		return nil
	})
}

func (r apiKeys) Touch(_ context.Context, id string, at time.Time) error {
	return r.with(func(st *state) error {
		if k, ok := st.keys[id]; ok && (k.LastUsedAt == nil || k.LastUsedAt.Before(at)) {
			k.LastUsedAt = &at
			st.keys[id] = k
		}
		return nil
	})
}

func (r apiKeys) DeleteEndedLogins(_ context.Context, userID string, now time.Time) error {
	return r.with(func(st *state) error {
		maps.DeleteFunc(st.keys, func(_ string, k account.APIKey) bool {
			return k.UserID == userID && k.Kind == account.KindLogin && !k.Active(now)
		})
		return nil
	})
}

func apiKeyCopy(k account.APIKey) account.APIKey {
	k.ExpiresAt = clonePtr(k.ExpiresAt)
	k.RevokedAt = clonePtr(k.RevokedAt)
	k.LastUsedAt = clonePtr(k.LastUsedAt)
	return k
}

type messages repos

func (r messages) Create(_ context.Context, m message.Outbound) error {
	return r.with(func(st *state) error {
		if err := st.sessionGone(m.SessionID); err != nil {
			return err
		}
		k := messageKey{m.SessionID, m.ID}
		if _, ok := st.messages[k]; ok {
			return fault.Conflict("", "message %s already exists in session %s", m.ID, m.SessionID)
		}
		st.messages[k] = deepCopy(m)
		st.lastSeq++
		st.messageSeq[k] = st.lastSeq
		return nil
	})
}

// deepCopy detaches a message's content (pointers and slices) from the caller's.
func deepCopy(m message.Outbound) message.Outbound {
	raw, err := json.Marshal(m.Content)
	if err != nil {
		panic(fmt.Sprintf("memory store: message content does not encode: %v", err))
	}
	m.Content = message.Content{}
	if err := json.Unmarshal(raw, &m.Content); err != nil {
		panic(fmt.Sprintf("memory store: message content does not decode: %v", err))
	}
	return m
}

func (r messages) Get(_ context.Context, sessionID, id string) (message.Outbound, error) {
	var out message.Outbound
	err := r.with(func(st *state) error {
		m, ok := st.messages[messageKey{sessionID, id}]
		if !ok {
			return fault.NotFound(fault.ReasonMessageNotFound, "message %s not found", id)
		}
		out = deepCopy(m)
		return nil
	})
	return out, err
}

// Update keeps the original keys: fn may not move a message elsewhere.
func (r messages) Update(_ context.Context, sessionID, id string, fn func(*message.Outbound) error) (message.Outbound, error) {
	var out message.Outbound
	err := r.with(func(st *state) error {
		k := messageKey{sessionID, id}
		stored, ok := st.messages[k]
		if !ok {
			return fault.NotFound(fault.ReasonMessageNotFound, "message %s not found", id)
		}
		m := deepCopy(stored)
		if err := fn(&m); err != nil {
			return err
		}
		m.SessionID, m.ID = sessionID, id
		st.messages[k] = deepCopy(m)
		out = m
		return nil
	})
	return out, err
}

func (r messages) ListQueued(_ context.Context, sessionID string, limit int) ([]message.Outbound, error) {
	out := []message.Outbound{}
	err := r.with(func(st *state) error {
		for _, m := range st.messages {
			if m.SessionID == sessionID && m.Status == message.StatusQueued {
				out = append(out, deepCopy(m))
			}
		}
		slices.SortFunc(out, func(a, b message.Outbound) int {
			return cmp.Compare(st.messageSeq[messageKey{a.SessionID, a.ID}], st.messageSeq[messageKey{b.SessionID, b.ID}])
		})
		return nil
	})
	return limited(out, limit), err
}

func (r messages) ListExpired(_ context.Context, sessionID string, now time.Time, limit int) ([]message.Outbound, error) {
	out := []message.Outbound{}
	err := r.with(func(st *state) error {
		for _, m := range st.messages {
			if m.SessionID == sessionID && m.Status == message.StatusQueued && m.Expired(now) {
				out = append(out, deepCopy(m))
			}
		}
		slices.SortFunc(out, func(a, b message.Outbound) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
		return nil
	})
	return limited(out, limit), err
}

func (r messages) SessionsWithQueued(_ context.Context) ([]string, error) {
	seen := map[string]bool{}
	err := r.with(func(st *state) error {
		for _, m := range st.messages {
			if m.Status == message.StatusQueued {
				seen[m.SessionID] = true
			}
		}
		return nil
	})
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, err
}

type events repos

func (r events) Append(_ context.Context, e event.Envelope) (event.Envelope, error) {
	err := r.with(func(st *state) error {
		if slices.ContainsFunc(st.events, func(s storedEvent) bool { return s.env.ID == e.ID }) {
			return fault.Conflict("", "event %s already exists", e.ID)
		}
		if err := st.sessionGone(e.SessionID); err != nil {
			return err
		}
		e.Payload = slices.Clone(e.Payload)
		st.events = append(st.events, storedEvent{env: e})
		return nil
	})
	if err != nil {
		return event.Envelope{}, err
	}
	return envelopeCopy(e), nil
}

func (r events) Get(_ context.Context, id string) (event.Envelope, error) {
	var out event.Envelope
	err := r.with(func(st *state) error {
		i := slices.IndexFunc(st.events, func(s storedEvent) bool { return s.env.ID == id })
		if i < 0 {
			return fault.NotFound("", "event %s not found", id)
		}
		out = envelopeCopy(st.events[i].env)
		return nil
	})
	return out, err
}

func (r events) ListAfter(_ context.Context, after int64, limit int) ([]event.Envelope, error) {
	return r.listPublished(func(e event.Envelope) bool { return e.Seq > after }, limit)
}

func (r events) ListAfterFor(_ context.Context, sessionIDs []string, after int64, limit int) ([]event.Envelope, error) {
	return r.listPublished(func(e event.Envelope) bool { return e.Seq > after && slices.Contains(sessionIDs, e.SessionID) }, limit)
}

func (r events) ListUnpublished(_ context.Context, limit int) ([]event.Envelope, error) {
	out := []event.Envelope{}
	err := r.with(func(st *state) error {
		for _, s := range st.events {
			if !s.published {
				out = append(out, envelopeCopy(s.env))
			}
		}
		return nil
	})
	return limited(out, limit), err
}

// listPublished lists published events by position (Seq), which need not follow
// insertion order.
func (r events) listPublished(keep func(event.Envelope) bool, limit int) ([]event.Envelope, error) {
	out := []event.Envelope{}
	err := r.with(func(st *state) error {
		for _, s := range st.events {
			if s.published && keep(s.env) {
				out = append(out, envelopeCopy(s.env))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b event.Envelope) int { return cmp.Compare(a.Seq, b.Seq) })
	return limited(out, limit), err
}

// MarkPublished ignores unknown and already published ids (relaying is
// at-least-once); they take no position.
func (r events) MarkPublished(_ context.Context, ids []string, _ time.Time) error {
	return r.with(func(st *state) error {
		for _, id := range ids {
			i := slices.IndexFunc(st.events, func(s storedEvent) bool { return s.env.ID == id })
			if i < 0 || st.events[i].published {
				continue
			}
			st.lastPosition++
			st.events[i].published, st.events[i].env.Seq = true, st.lastPosition
		}
		return nil
	})
}

func envelopeCopy(e event.Envelope) event.Envelope {
	e.Payload = slices.Clone(e.Payload)
	return e
}

type deliveries repos

func (r deliveries) Create(_ context.Context, d webhook.Delivery) error {
	return r.with(func(st *state) error {
		for _, other := range st.deliveries {
			if other.ID == d.ID || (other.EventID == d.EventID && other.SubscriptionID == d.SubscriptionID && other.URL == d.URL) {
				return fault.Conflict("", "delivery of event %s to %s (subscription %q) already exists", d.EventID, d.URL, d.SubscriptionID)
			}
		}
		if !slices.ContainsFunc(st.events, func(s storedEvent) bool { return s.env.ID == d.EventID }) {
			return fault.NotFound("", "event %s not found", d.EventID) // as the SQL stores' foreign key
		}
		st.deliveries[d.ID] = d
		st.lastSeq++
		st.hooks.deliverySeq[d.ID] = st.lastSeq
		return nil
	})
}

func (r deliveries) Get(_ context.Context, id string) (webhook.Delivery, error) {
	var out webhook.Delivery
	err := r.with(func(st *state) error {
		d, ok := st.deliveries[id]
		if !ok {
			return fault.NotFound("", "delivery %s not found", id)
		}
		out = d
		return nil
	})
	return out, err
}

// Save releases the delivery's claim.
func (r deliveries) Save(_ context.Context, d webhook.Delivery) error {
	return r.with(func(st *state) error {
		if _, ok := st.deliveries[d.ID]; !ok {
			return fault.NotFound("", "delivery %s not found", d.ID)
		}
		st.deliveries[d.ID] = d
		delete(st.hooks.leases, d.ID)
		return nil
	})
}

func (r deliveries) ListByEvent(_ context.Context, eventID string) ([]webhook.Delivery, error) {
	return r.list(func(d webhook.Delivery) bool { return d.EventID == eventID }, func(a, b webhook.Delivery) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}

func (r deliveries) list(keep func(webhook.Delivery) bool, order func(a, b webhook.Delivery) int) ([]webhook.Delivery, error) {
	out := []webhook.Delivery{}
	err := r.with(func(st *state) error {
		for _, d := range st.deliveries {
			if keep(d) {
				out = append(out, d)
			}
		}
		return nil
	})
	slices.SortFunc(out, order)
	return out, err
}
