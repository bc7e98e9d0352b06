package contract

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// MigrationTarget is a fresh, empty database of one dialect.
type MigrationTarget struct {
	DB *sql.DB
	// UpTo and DownTo migrate DB to a version with the dialect's migrations.
	UpTo, DownTo func(ctx context.Context, version int64) error
	Now          string // SQL giving the current time in the dialect's time columns
	// Open opens the store adapter on the database, which applies the migrations
	// not yet applied, as a gateway upgrading it does.
	Open func(t *testing.T) (ports.Store, error)
}

// RunMigrations checks what migrations do to rows written before them.
func RunMigrations(t *testing.T, fresh func(t *testing.T) MigrationTarget) {
	tests := []struct {
		name string
		run  func(t *testing.T, m MigrationTarget)
	}{
		{"00011 makes keys minted by logins login sessions ending 12 hours after the upgrade", migrationLoginKeys},
		{"00011 down ends every login session and keeps permanent keys", migrationLoginKeysDown},
		{"00012 refuses session ids that differ only in case naming them", migrationSessionIDClash},
		{"00012 refuses usernames that differ only in case naming them", migrationUsernameClash},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, fresh(t))
		})
	}
}

func migrateTo(t *testing.T, m MigrationTarget, version int64) {
	t.Helper()
	if err := m.UpTo(t.Context(), version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
}

func execSQL(t *testing.T, m MigrationTarget, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := m.DB.ExecContext(t.Context(), strings.ReplaceAll(s, "NOW", m.Now)); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func insertUser(id, username string) string {
	return "INSERT INTO users (id, username, password_hash, role, registry, created_at) VALUES ('" + id + "', '" +
		username + "', 'x', 'user', 'REG" + id + "', NOW)"
}

func insertKey(id, userID, name string) string {
	return "INSERT INTO api_keys (id, user_id, name, prefix, hash, created_at) VALUES ('" + id + "', '" + userID +
		"', '" + name + "', 'wst_', 'hash-" + id + "', NOW)"
}

func insertSession(id string) string {
	return "INSERT INTO sessions (id, owner, status, auto_start, created_at, updated_at) VALUES ('" + id +
		"', 'OWNER', 'stopped', false, NOW, NOW)"
}

func openMigrated(t *testing.T, m MigrationTarget) ports.Store {
	t.Helper()
	s, err := m.Open(t)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func migrationLoginKeys(t *testing.T, m MigrationTarget) {
	migrateTo(t, m, 10)
	execSQL(t, m, insertUser("u1", "budi"), insertKey("k-login", "u1", "login"), insertKey("k-ci", "u1", "ci"))
	upgraded := time.Now()
	keys, err := openMigrated(t, m).APIKeys().ListByUser(t.Context(), "u1")
	must(t, err)
	byID := map[string]account.APIKey{}
	for _, k := range keys {
		byID[k.ID] = k
	}
	login, ci := byID["k-login"], byID["k-ci"]
	if ci.Kind != account.KindAPI || ci.ExpiresAt != nil {
		t.Fatalf("a permanent key became %s ending %v", ci.Kind, ci.ExpiresAt)
	}
	if login.Kind != account.KindLogin || login.ExpiresAt == nil {
		t.Fatalf("a login key stayed %s ending %v", login.Kind, login.ExpiresAt)
	}
	if d := login.ExpiresAt.Sub(upgraded) - 12*time.Hour; d < -time.Minute || d > time.Minute {
		t.Fatalf("login key ends %v, want 12 hours after the upgrade (%v)", login.ExpiresAt, upgraded)
	}
}

func migrationLoginKeysDown(t *testing.T, m MigrationTarget) {
	migrateTo(t, m, 11)
	execSQL(t, m, insertUser("u1", "budi"), insertKey("k-ci", "u1", "ci"), insertKey("k-login", "u1", "login"),
		"UPDATE api_keys SET kind = 'login', expires_at = NOW WHERE id = 'k-login'")
	if err := m.DownTo(t.Context(), 10); err != nil {
		t.Fatalf("down to 10: %v", err)
	}
	var ids []string
	rows, err := m.DB.QueryContext(t.Context(), "SELECT id FROM api_keys ORDER BY id")
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var id string
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	equal(t, ids, []string{"k-ci"})
}

func migrationSessionIDClash(t *testing.T, m MigrationTarget) {
	migrateTo(t, m, 11)
	execSQL(t, m, insertSession("alice1"), insertSession("ALICE1"), insertSession("Bob"), insertSession("bob"),
		insertSession("carol"))
	_, err := m.Open(t)
	if err == nil {
		t.Fatal("the upgrade accepted session ids that differ only in case")
	}
	for _, want := range []string{"session ids must be unique ignoring case", "ALICE1, alice1", "Bob, bob"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "carol") {
		t.Fatalf("error %q names a session that clashes with none", err)
	}
	t.Logf("refusal: %v", err)
	// Deleting all but one of each group lets the upgrade through.
	execSQL(t, m, "DELETE FROM sessions WHERE id IN ('ALICE1', 'bob')")
	s := openMigrated(t, m)
	_, err = s.Sessions().Get(t.Context(), "alice1")
	must(t, err)
}

func migrationUsernameClash(t *testing.T, m MigrationTarget) {
	migrateTo(t, m, 11)
	execSQL(t, m, insertUser("u1", "Admin"), insertUser("u2", "admin"), insertUser("u3", "budi"))
	_, err := m.Open(t)
	if err == nil || !strings.Contains(err.Error(), "usernames must be unique ignoring case") ||
		!strings.Contains(err.Error(), "Admin, admin") || strings.Contains(err.Error(), "budi") {
		t.Fatalf("upgrade with usernames Admin and admin: %v", err)
	}
	execSQL(t, m, "UPDATE users SET username = 'admin2' WHERE id = 'u2'")
	s := openMigrated(t, m)
	u, err := s.Users().GetByUsername(t.Context(), "ADMIN")
	must(t, err)
	equal(t, u.ID, "u1")
}

// OldEvent is an events row written before migration 00009 (payload as text, no
// message_id), for a dialect's test to insert with its own SQL.
type OldEvent struct {
	ID, Type, SessionID, Payload string
}

// OldEvents are rows of every shape the migration meets: received messages (whose
// message id it copies out), another message event, and a non-ASCII payload.
var OldEvents = []OldEvent{
	{"01OLDEVENT0001", "message_received", "s1", `{"id":"s1","message":{"key":{"remoteJid":"628@s.whatsapp.net","id":"3EB0OLD1"}},"text":"é \u00e9 👋"}`},
	{"01OLDEVENT0002", "message_received", "s2", `{"message":{"key":{"id":"3EB0OLD2"}}, "text":"spaced"}`},
	{"01OLDEVENT0003", "message_reaction", "s1", `{"message":{"key":{"id":"3EB0OLD3"}}}`},
	{"01OLDEVENT0004", "message_received", "s1", `{"id":"s1","tags":"media","message":{"key":{"remoteJid":"120363041234567890@g.us",` +
		`"fromMe":true,"id":"3EB0OLD4","participant":"6281111111111@s.whatsapp.net"},"messageTimestamp":1735787045,"pushName":"Alice",` +
		`"message":{"imageMessage":{"caption":"sunset"}}},"text":"sunset","contentType":"image","sender":{"chatId":"120363041234567890@g.us",` +
		`"fromMe":true,"isGroup":true,"authorJid":"6281111111111@s.whatsapp.net","authorLid":"111@lid","pushName":"Alice"},` +
		`"media":{"hasMedia":true,"type":"imageMessage","mimeType":"image/jpeg","fileLength":4096},"mentions":[],"type":"notify"}`},
}

// CheckOldEvents checks that s, migrated over OldEvents, keeps their payloads byte
// for byte and has the received messages among its inbound messages.
func CheckOldEvents(t *testing.T, s ports.Store) {
	t.Helper()
	ctx := t.Context()
	for _, o := range OldEvents {
		e, err := s.Events().Get(ctx, o.ID)
		must(t, err)
		if string(e.Payload) != o.Payload || string(e.Type) != o.Type || e.SessionID != o.SessionID {
			t.Fatalf("event %s after migrating: %+v (payload %s)", o.ID, e, e.Payload)
		}
	}
	// 00014 copied the received messages into the inbound messages.
	for _, c := range []struct{ session, message, chat, text string }{
		{"s1", "3EB0OLD1", "628@s.whatsapp.net", "é é 👋"},
		{"s2", "3EB0OLD2", "", "spaced"},
	} {
		m, err := s.Inbound().Get(ctx, c.session, c.message)
		must(t, err)
		equal(t, m.Chat.String(), c.chat)
		equal(t, m.Content.Text, c.text)
		equal(t, m.Content.Kind, message.KindUnknown) // these payloads name no contentType
	}
	_, err := s.Inbound().Get(ctx, "s1", "3EB0OLD3") // a reaction, not a received message
	isFault(t, err, fault.KindNotFound, fault.ReasonMessageNotFound)
	m, err := s.Inbound().Get(ctx, "s1", "3EB0OLD4") // a full WAREST payload
	must(t, err)
	equal(t, []any{m.Chat.String(), m.Sender.JID.String(), m.Sender.LID.String(), m.Sender.PushName, m.FromMe, m.Timestamp.Unix()},
		[]any{"120363041234567890@g.us", "6281111111111@s.whatsapp.net", "111@lid", "Alice", true, int64(1735787045)})
	equal(t, m.Content, message.Content{Kind: message.KindImage, Text: "sunset"})
}
