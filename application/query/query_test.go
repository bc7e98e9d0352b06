package query_test

import (
	"context"
	"errors"
	"github.com/warest-go/warest/test/appworld"
	"io"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/warest-go/warest/application/query"
	"github.com/warest-go/warest/domain/account"
	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/domain/session"
	"github.com/warest-go/warest/ports"
)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

type fixture struct {
	ctx               context.Context
	store             *appworld.SQLiteStore
	q                 *query.Queries
	admin, budi, sari account.Principal
	budiKey           string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	net := appworld.NewNetwork(appworld.NetworkConfig{}, realClock{})
	t.Cleanup(func() { _ = net.Close(context.Background()) })
	f := &fixture{ctx: ctx, store: appworld.NewStore(t)}
	f.q = query.New(f.store, net, realClock{})
	now := time.Now()
	mk := func(id, name string, role account.Role, registry string) account.Principal {
		u := account.User{ID: id, Username: name, PasswordHash: "x", Role: role, Registry: registry, CreatedAt: now}
		if err := f.store.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		return account.Principal{User: u}
	}
	f.admin = mk("u-admin", "admin", account.RoleAdmin, account.AdminRegistry)
	f.budi = mk("u-budi", "budi", account.RoleUser, "BUDIBUDIBU")
	f.sari = mk("u-sari", "sari", account.RoleUser, "SARISARISA")
	plain, k := account.NewAPIKey("k-budi", "u-budi", "api", now)
	if err := f.store.APIKeys().Create(ctx, k); err != nil {
		t.Fatal(err)
	}
	f.budiKey = plain
	for _, s := range []struct{ id, owner string }{{"b1", "BUDIBUDIBU"}, {"b2", "BUDIBUDIBU"}, {"s1", "SARISARISA"}} {
		sess, err := session.New(s.id, s.owner, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.Sessions().Create(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p, err := f.q.Principals.Authenticate(f.ctx, "  "+f.budiKey+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.User.ID != "u-budi" || p.KeyID != "k-budi" {
		t.Fatalf("principal %+v", p)
	}

	revokedPlain, revoked := account.NewAPIKey("k-rev", "u-budi", "api", time.Now())
	if err := f.store.APIKeys().Create(f.ctx, revoked); err != nil {
		t.Fatal(err)
	}
	if err := f.store.APIKeys().Revoke(f.ctx, "k-rev", time.Now()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key  string
		wantReason fault.Reason
	}{
		{"empty", "", ""},
		{"blank", "   ", ""},
		{"unknown", "wst_doesnotexist", fault.ReasonAPIKeyInvalid},
		{"revoked", revokedPlain, fault.ReasonAPIKeyInvalid},
		{"prefix only", f.budiKey[:8], fault.ReasonAPIKeyInvalid},
		{"hash instead of key", account.HashKey(f.budiKey), fault.ReasonAPIKeyInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.q.Principals.Authenticate(f.ctx, tt.key)
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.KindUnauthorized || fe.Reason != tt.wantReason {
				t.Fatalf("err = %v, want unauthorized/%q", err, tt.wantReason)
			}
		})
	}
}

// usersGone is a store whose user table lost every user (a removed account).
type usersGone struct{ *appworld.SQLiteStore }

type noUsers struct{ ports.UserRepository }

func (u usersGone) Users() ports.UserRepository { return noUsers{u.SQLiteStore.Users()} }
func (noUsers) Get(context.Context, string) (account.User, error) {
	return account.User{}, fault.NotFound(fault.ReasonUserNotFound, "gone")
}

func TestAuthenticate_KeyOfRemovedUserIsUnauthorized(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	q := query.New(usersGone{f.store}, nil, realClock{})
	_, err := q.Principals.Authenticate(f.ctx, f.budiKey)
	if fe, ok := fault.As(err); !ok || fe.Kind != fault.KindUnauthorized || fe.Reason != fault.ReasonAPIKeyInvalid {
		t.Fatalf("err = %v, want unauthorized/api_key_invalid", err)
	}
}

func TestSession_Visibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name     string
		p        account.Principal
		id       string
		wantKind fault.Kind // KindUnknown: success
	}{
		{"owner", f.budi, "b1", fault.KindUnknown},
		{"admin", f.admin, "s1", fault.KindUnknown},
		{"other user", f.sari, "b1", fault.KindForbidden},
		{"unknown", f.budi, "zz", fault.KindNotFound},
		{"invalid id", f.budi, "a b", fault.KindInvalid},
		{"empty id", f.budi, "", fault.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := f.q.Sessions.Session(f.ctx, tt.p, tt.id)
			if tt.wantKind == fault.KindUnknown {
				if err != nil || s.ID() != tt.id {
					t.Fatalf("Session(%s) = %v, %v", tt.id, s, err)
				}
				return
			}
			if !fault.Is(err, tt.wantKind) {
				t.Fatalf("err = %v, want %v", err, tt.wantKind)
			}
		})
	}
}

func ids(ss []*session.Session) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.ID())
	}
	return out
}

func TestSessions_ListsOwnOrAllForAdmin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tt := range []struct {
		p    account.Principal
		want string
	}{{f.budi, "[b1 b2]"}, {f.sari, "[s1]"}, {f.admin, "[b1 b2 s1]"}} {
		got, err := f.q.Sessions.Sessions(f.ctx, tt.p)
		if err != nil {
			t.Fatal(err)
		}
		if s := fmtIDs(ids(got)); s != tt.want {
			t.Fatalf("%s sees %s, want %s", tt.p.User.Username, s, tt.want)
		}
	}
}

func fmtIDs(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

func TestUsersAndKeys_Permissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.q.Accounts.Users(f.ctx, f.budi); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("user listing users: %v", err)
	}
	us, err := f.q.Accounts.Users(f.ctx, f.admin)
	if err != nil || len(us) != 3 {
		t.Fatalf("admin users: %d %v", len(us), err)
	}
	if ks, err := f.q.Accounts.Keys(f.ctx, f.budi, "u-budi"); err != nil || len(ks) != 1 || ks[0].ID != "k-budi" {
		t.Fatalf("own keys: %+v %v", ks, err)
	}
	if _, err := f.q.Accounts.Keys(f.ctx, f.sari, "u-budi"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("other's keys: %v", err)
	}
	if ks, err := f.q.Accounts.Keys(f.ctx, f.admin, "u-budi"); err != nil || len(ks) != 1 {
		t.Fatalf("admin keys: %+v %v", ks, err)
	}
}

func TestMessageAndDevice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	m, err := message.NewOutbound("3EB0Q", "b1", chat.UserJID("6282222222222"), message.TextContent("hi"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Messages().Create(f.ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := f.q.Sessions.Message(f.ctx, f.budi, "b1", "3EB0Q")
	if err != nil || got.ID != "3EB0Q" || got.Content.Text != "hi" || got.Content.Kind != message.KindText {
		t.Fatalf("message %+v %v", got, err)
	}
	if _, err := f.q.Sessions.Message(f.ctx, f.sari, "b1", "3EB0Q"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign message: %v", err)
	}
	if _, err := f.q.Sessions.Message(f.ctx, f.budi, "b1", "nope"); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("unknown message: %v", err)
	}
	if d, err := f.q.Sessions.Device(f.ctx, f.budi, "b1"); err != nil || d.Phone != "" {
		t.Fatalf("unpaired device %+v %v", d, err)
	}
	if _, err := f.q.Sessions.Device(f.ctx, f.sari, "b1"); !fault.Is(err, fault.KindForbidden) {
		t.Fatalf("foreign device: %v", err)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h := f.q.System.Health(f.ctx)
	if h.Database != "sqlite" || h.Err != nil || h.LatencyMs < 0 {
		t.Fatalf("health %+v", h)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if h := f.q.System.Health(ctx); h.Err == nil {
		t.Fatal("health ignores a dead context")
	}
}

// versionOf is a program whose Version answers as told.
type versionOf struct {
	v   string
	err error
}

func (p versionOf) Version(context.Context) (string, error) { return p.v, p.err }

// fullDisk is a blob store whose writes fail.
type fullDisk struct{ ports.BlobStore }

func (fullDisk) Put(context.Context, string, io.Reader, string) (ports.BlobInfo, error) {
	return ports.BlobInfo{}, errors.New("no space left on device")
}

func TestHealthChecksStorageAndFFmpeg(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	root := t.TempDir()
	blobs, err := appworld.NewBlobs(appworld.BlobConfig{Root: root, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	f.q.System.Blobs, f.q.System.FFmpeg = blobs, versionOf{v: "7.1"}
	h := f.q.System.Health(f.ctx)
	if h.Storage == nil || h.Storage.Err != nil || h.FFmpeg == nil || h.FFmpeg.Err != nil || h.FFmpeg.Detail != "7.1" {
		t.Fatalf("health %+v storage %+v ffmpeg %+v", h, h.Storage, h.FFmpeg)
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("the probe left %s behind", path)
		}
		return nil
	})

	// A blob store that cannot write (a full disk), and no ffmpeg.
	f.q.System.Blobs, f.q.System.FFmpeg = fullDisk{blobs}, versionOf{err: errors.New("not installed")}
	h = f.q.System.Health(f.ctx)
	if h.Storage == nil || h.Storage.Err == nil {
		t.Errorf("a store that cannot write is healthy: %+v", h.Storage)
	}
	if h.FFmpeg == nil || h.FFmpeg.Err == nil {
		t.Errorf("a missing ffmpeg is healthy: %+v", h.FFmpeg)
	}
	if h.Err != nil {
		t.Errorf("the database is fine: %v", h.Err)
	}
}
