package session_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/session"
)

var allStatuses = []session.Status{
	session.StatusStarting, session.StatusQR, session.StatusPairing, session.StatusOpen,
	session.StatusReconnecting, session.StatusLoggedOut, session.StatusReplaced, session.StatusStopped,
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// allowed is the expected state machine, written out independently of the
// implementation so that any change to it is caught here. Self-moves are listed
// explicitly: every known status may be re-entered.
var allowed = map[session.Status][]session.Status{
	session.StatusStarting:     {"starting", "qr", "pairing", "open", "reconnecting", "logged_out", "stopped"},
	session.StatusQR:           {"qr", "starting", "pairing", "open", "reconnecting", "logged_out", "stopped"},
	session.StatusPairing:      {"pairing", "starting", "qr", "open", "reconnecting", "logged_out", "stopped"},
	session.StatusOpen:         {"open", "reconnecting", "logged_out", "replaced", "stopped", "starting"},
	session.StatusReconnecting: {"reconnecting", "starting", "qr", "open", "logged_out", "replaced", "stopped"},
	session.StatusLoggedOut:    {"logged_out", "starting", "qr", "pairing", "stopped"},
	session.StatusReplaced:     {"replaced", "starting", "stopped"},
	session.StatusStopped:      {"stopped", "starting"},
}

func TestStatus_CanBecome_MatchesTheTransitionTableForEveryPair(t *testing.T) {
	t.Parallel()
	for _, from := range allStatuses {
		want := map[session.Status]bool{}
		for _, to := range allowed[from] {
			want[to] = true
		}
		for _, to := range allStatuses {
			t.Run(fmt.Sprintf("%s_to_%s", from, to), func(t *testing.T) {
				t.Parallel()
				if got := from.CanBecome(to); got != want[to] {
					t.Fatalf("%s.CanBecome(%s) = %v, want %v", from, to, got, want[to])
				}
			})
		}
	}
}

func TestStatus_UnknownStatusesNeverMove(t *testing.T) {
	t.Parallel()
	bogus := session.Status("bogus")
	if bogus.Valid() {
		t.Fatal("bogus status reported valid")
	}
	if bogus.CanBecome(bogus) {
		t.Fatal("unknown status may re-enter itself")
	}
	for _, s := range allStatuses {
		if !s.Valid() {
			t.Errorf("%s should be valid", s)
		}
		if s.CanBecome(bogus) || bogus.CanBecome(s) {
			t.Errorf("move between %s and an unknown status allowed", s)
		}
	}
}

func TestValidateID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		id         string
		wantErr    bool
		wantReason fault.Reason
	}{
		{"simple", "sales", false, ""},
		{"all allowed characters", "a.Z_0-9", false, ""},
		{"single character", "x", false, ""},
		{"64 characters", strings.Repeat("a", 64), false, ""},
		{"empty is session_required", "", true, fault.ReasonSessionRequired},
		{"65 characters too long", strings.Repeat("a", 65), true, fault.ReasonInvalidParameter},
		{"space", "my session", true, fault.ReasonInvalidParameter},
		{"slash", "a/b", true, fault.ReasonInvalidParameter},
		{"at sign", "a@b", true, fault.ReasonInvalidParameter},
		{"unicode letter", "sesión", true, fault.ReasonInvalidParameter},
		{"trailing newline", "abc\n", true, fault.ReasonInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := session.ValidateID(tt.id)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("ValidateID(%q) = %v, want nil", tt.id, err)
				}
				return
			}
			fe, ok := fault.As(err)
			if !ok {
				t.Fatalf("ValidateID(%q) = %v, want a fault error", tt.id, err)
			}
			if fe.Kind != fault.KindInvalid || fe.Reason != tt.wantReason {
				t.Fatalf("ValidateID(%q) = kind %v reason %q, want kind %v reason %q", tt.id, fe.Kind, fe.Reason, fault.KindInvalid, tt.wantReason)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("starts in starting with auto-start and UTC times", func(t *testing.T) {
		t.Parallel()
		local := t0.In(time.FixedZone("WIB", 7*3600))
		s, err := session.New("sales", "ABCDEFGHIJ", local)
		if err != nil {
			t.Fatal(err)
		}
		if s.ID() != "sales" || s.Owner() != "ABCDEFGHIJ" || s.Status() != session.StatusStarting || !s.AutoStart() {
			t.Fatalf("unexpected session %+v", s.Snapshot())
		}
		if s.CreatedAt() != t0 || s.UpdatedAt() != t0 || s.CreatedAt().Location() != time.UTC {
			t.Fatalf("times = %v / %v, want %v UTC", s.CreatedAt(), s.UpdatedAt(), t0)
		}
		if s.Me() != nil || s.LastConnAt() != nil || s.LastError() != "" || s.Webhook() != (session.Webhook{}) {
			t.Fatalf("new session has leftovers: %+v", s.Snapshot())
		}
		if !s.OwnedBy("ABCDEFGHIJ") || s.OwnedBy("OTHER") {
			t.Fatal("OwnedBy is wrong")
		}
	})
	t.Run("invalid id", func(t *testing.T) {
		t.Parallel()
		_, err := session.New("bad id", "X", t0)
		if !fault.Is(err, fault.KindInvalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
	})
	t.Run("empty id is session_required", func(t *testing.T) {
		t.Parallel()
		_, err := session.New("", "X", t0)
		if fe, ok := fault.As(err); !ok || fe.Reason != fault.ReasonSessionRequired {
			t.Fatalf("err = %v, want session_required", err)
		}
	})
	t.Run("owner required", func(t *testing.T) {
		t.Parallel()
		_, err := session.New("ok", "", t0)
		if !fault.Is(err, fault.KindInvalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
	})
}

func newSession(t *testing.T) *session.Session {
	t.Helper()
	s, err := session.New("s1", "OWNER", t0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var me = session.Identity{JID: "6281234567890@s.whatsapp.net", LID: "123456789@lid", Name: "Budi"}

func TestOpened_SetsIdentityAndConnectionTime(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	at := t0.Add(time.Minute)
	if err := s.Opened(me, at); err != nil {
		t.Fatal(err)
	}
	if s.Status() != session.StatusOpen {
		t.Fatalf("status = %s", s.Status())
	}
	if s.Me() == nil || *s.Me() != me {
		t.Fatalf("me = %+v, want %+v", s.Me(), me)
	}
	if s.LastConnAt() == nil || !s.LastConnAt().Equal(at) || s.UpdatedAt() != at {
		t.Fatalf("lastConnAt = %v updatedAt = %v, want %v", s.LastConnAt(), s.UpdatedAt(), at)
	}
	if err := s.CanSend(); err != nil {
		t.Fatalf("open session cannot send: %v", err)
	}
}

func TestOpened_FromLoggedOutIsRefused(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.LoggedOut("unlinked", t0); err != nil {
		t.Fatal(err)
	}
	err := s.Opened(me, t0.Add(time.Second))
	if !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("err = %v, want failed precondition", err)
	}
	if fe, _ := fault.As(err); fe.Reason != fault.ReasonInvalidState {
		t.Fatalf("reason = %q, want invalid_state", fe.Reason)
	}
	if s.Status() != session.StatusLoggedOut || s.Me() != nil || s.LastConnAt() != nil {
		t.Fatalf("refused move changed state: %+v", s.Snapshot())
	}
}

func TestLoggedOut_ForgetsIdentityAndKeepsReason(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Opened(me, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.LoggedOut("device removed", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s.Status() != session.StatusLoggedOut || s.Me() != nil || s.LastError() != "device removed" {
		t.Fatalf("after logout: %+v", s.Snapshot())
	}
	if !s.AutoStart() {
		t.Fatal("a remote logout must not disable auto-start")
	}
}

func TestTransition_ClearsLastErrorOnHealthyStatus(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Transition(session.StatusReconnecting, "timeout", t0); err != nil {
		t.Fatal(err)
	}
	if s.LastError() != "timeout" {
		t.Fatalf("lastError = %q", s.LastError())
	}
	if err := s.Opened(me, t0); err != nil {
		t.Fatal(err)
	}
	if s.LastError() != "" {
		t.Fatalf("lastError not cleared: %q", s.LastError())
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		purge   bool
		wantNil bool
	}{
		{"purge forgets identity", true, true},
		{"keep keeps identity", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSession(t)
			if err := s.Opened(me, t0); err != nil {
				t.Fatal(err)
			}
			at := t0.Add(time.Minute)
			if err := s.Stop(tt.purge, at); err != nil {
				t.Fatal(err)
			}
			if s.Status() != session.StatusStopped || s.AutoStart() || s.UpdatedAt() != at {
				t.Fatalf("after stop: %+v", s.Snapshot())
			}
			if (s.Me() == nil) != tt.wantNil {
				t.Fatalf("me = %+v, want nil=%v", s.Me(), tt.wantNil)
			}
			if err := s.CanSend(); !fault.Is(err, fault.KindFailedPrecondition) {
				t.Fatalf("stopped session CanSend = %v", err)
			}
		})
	}
}

func TestStart_ReenablesAutoStart(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Stop(false, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if s.Status() != session.StatusStarting || !s.AutoStart() {
		t.Fatalf("after start: %+v", s.Snapshot())
	}
}

func TestStart_RefusedFromIllegalStateLeavesAutoStartAlone(t *testing.T) {
	t.Parallel()
	// Starting is reachable from every status, so the only way to refuse it is an
	// unknown stored status.
	snap := newSession(t).Snapshot()
	snap.Status = "corrupt"
	snap.AutoStart = false
	s := session.Rehydrate(snap)
	if err := s.Start(t0); !fault.Is(err, fault.KindFailedPrecondition) {
		t.Fatalf("err = %v, want failed precondition", err)
	}
	if s.AutoStart() || s.Status() != "corrupt" {
		t.Fatalf("refused start changed state: %+v", s.Snapshot())
	}
}

func TestCanSend_OnlyWhenOpen(t *testing.T) {
	t.Parallel()
	for _, st := range allStatuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			snap := newSession(t).Snapshot()
			snap.Status = st
			err := session.Rehydrate(snap).CanSend()
			if st == session.StatusOpen {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				return
			}
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.KindFailedPrecondition || fe.Reason != fault.ReasonSessionNotOpen {
				t.Fatalf("CanSend in %s = %v, want failed precondition session_not_open", st, err)
			}
		})
	}
}

func TestTransition_IllegalMovesAreFailedPreconditionAndChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to session.Status
	}{
		{session.StatusStopped, session.StatusOpen},
		{session.StatusStopped, session.StatusQR},
		{session.StatusLoggedOut, session.StatusOpen},
		{session.StatusReplaced, session.StatusReconnecting},
		{session.StatusStarting, session.StatusReplaced},
		{session.StatusOpen, session.StatusQR},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_to_%s", tt.from, tt.to), func(t *testing.T) {
			t.Parallel()
			snap := newSession(t).Snapshot()
			snap.Status = tt.from
			snap.LastError = "previous"
			s := session.Rehydrate(snap)
			err := s.Transition(tt.to, "x", t0.Add(time.Hour))
			if !fault.Is(err, fault.KindFailedPrecondition) {
				t.Fatalf("err = %v, want failed precondition", err)
			}
			if s.Status() != tt.from || s.LastError() != "previous" || s.UpdatedAt() != t0 {
				t.Fatalf("refused move changed state: %+v", s.Snapshot())
			}
		})
	}
}

func TestSetWebhook(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	w := session.Webhook{URL: "https://example.com/hook", Secret: "s3cret!"}
	at := t0.Add(time.Minute)
	s.SetWebhook(w, at)
	if s.Webhook() != w || s.UpdatedAt() != at {
		t.Fatalf("webhook = %+v updatedAt = %v", s.Webhook(), s.UpdatedAt())
	}
}

func TestRehydrate_SnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Opened(me, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.SetWebhook(session.Webhook{URL: "https://x.test/h", Secret: "abcdef"}, t0.Add(2*time.Minute))
	if err := s.Transition(session.StatusReconnecting, "lost", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	back := session.Rehydrate(snap).Snapshot()
	if back.ID != snap.ID || back.Owner != snap.Owner || back.Status != snap.Status || back.LastError != snap.LastError ||
		back.Webhook != snap.Webhook || back.AutoStart != snap.AutoStart || back.CreatedAt != snap.CreatedAt || back.UpdatedAt != snap.UpdatedAt {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", back, snap)
	}
	if back.Me == nil || *back.Me != me || back.LastConnAt == nil || !back.LastConnAt.Equal(*snap.LastConnAt) {
		t.Fatalf("round trip lost identity/lastConnAt: %+v", back)
	}
	if back.Status != session.StatusReconnecting || back.LastError != "lost" {
		t.Fatalf("unexpected status %s/%q", back.Status, back.LastError)
	}
}

func TestSnapshot_IsACopy(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Opened(me, t0); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	snap.Me.Name = "mutated"
	*snap.LastConnAt = t0.Add(time.Hour)
	if s.Me().Name != me.Name || !s.LastConnAt().Equal(t0) {
		t.Fatalf("mutating a snapshot changed the session: me=%+v lastConnAt=%v", s.Me(), s.LastConnAt())
	}
	r := session.Rehydrate(snap)
	snap.Me.Name = "again"
	if r.Me().Name != "mutated" {
		t.Fatalf("mutating the snapshot after Rehydrate changed the session: %+v", r.Me())
	}
}

func TestHalt_StopsWithTheReasonAndNoAutoStart(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if err := s.Transition(session.StatusQR, "", t0); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	if err := s.Halt("qr_timeout", at); err != nil {
		t.Fatal(err)
	}
	if s.Status() != session.StatusStopped || s.LastError() != "qr_timeout" || s.AutoStart() || s.UpdatedAt() != at {
		t.Fatalf("after halt: %+v", s.Snapshot())
	}
	if err := s.Start(at); err != nil || s.LastError() != "" || !s.AutoStart() {
		t.Fatalf("restart after halt: %v %+v", err, s.Snapshot())
	}
}
