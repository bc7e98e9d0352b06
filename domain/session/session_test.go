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
	session.StatusStarting:     {"starting", "qr", "pairing", "open", "reconnecting", "logged_out", "replaced", "stopped"},
	session.StatusQR:           {"qr", "starting", "pairing", "open", "reconnecting", "logged_out", "stopped"},
	session.StatusPairing:      {"pairing", "starting", "qr", "open", "reconnecting", "logged_out", "stopped"},
	session.StatusOpen:         {"open", "qr", "reconnecting", "logged_out", "replaced", "stopped", "starting"},
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
	const ok, bad = "", fault.ReasonInvalidParameter
	tests := []struct {
		name       string
		id         string
		wantReason fault.Reason // "" for a valid id
		lookupOK   bool         // lookups accept every id WAREST's rule let in
	}{
		{"simple", "sales", ok, true},
		{"all allowed characters", "a.Z_0-9", ok, true},
		{"upper case kept", "ALICE1", ok, true},
		{"starts with a digit", "0day", ok, true},
		{"dots inside", "a..b", ok, true},
		{"single character", "x", ok, true},
		{"64 characters", strings.Repeat("a", 64), ok, true},
		{"dot", ".", bad, true},
		{"dot dot", "..", bad, true},
		{"leading dot", ".hidden", bad, true},
		{"leading dash", "-rf", bad, true},
		{"leading underscore", "_old", bad, true},
		{"empty is session_required", "", fault.ReasonSessionRequired, false},
		{"65 characters too long", strings.Repeat("a", 65), bad, false},
		{"space", "my session", bad, false},
		{"slash", "a/b", bad, false},
		{"backslash", `a\b`, bad, false},
		{"at sign", "a@b", bad, false},
		{"percent", "a%2Fb", bad, false},
		{"unicode letter", "sesión", bad, false},
		{"trailing newline", "abc\n", bad, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkReason(t, "ValidateID", tt.id, session.ValidateID(tt.id), tt.wantReason)
			lookupReason := tt.wantReason
			if tt.lookupOK {
				lookupReason = ok
			}
			checkReason(t, "ValidateLookup", tt.id, session.ValidateLookup(tt.id), lookupReason)
		})
	}
}

func checkReason(t *testing.T, fn, id string, err error, want fault.Reason) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("%s(%q) = %v, want nil", fn, id, err)
		}
		return
	}
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.KindInvalid || fe.Reason != want {
		t.Fatalf("%s(%q) = %v, want kind invalid reason %q", fn, id, err, want)
	}
}

func TestNew_RefusesIDsOutsideTheRule(t *testing.T) {
	t.Parallel()
	for _, id := range []string{".", "..", "-x", "_old"} {
		if _, err := session.New(id, "ABCDEFGHIJ", t0); !fault.Is(err, fault.KindInvalid) {
			t.Errorf("New(%q) = %v, want invalid", id, err)
		}
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
		{session.StatusQR, session.StatusReplaced},
		{session.StatusOpen, session.StatusPairing},
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

func TestObserve_FollowsTheTransportAndFlagsMovesOutsideTheTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		from          session.Status
		obs           session.Observation
		wantIrregular bool
		wantMe        bool
	}{
		{"a QR after a restart that lost the credentials", session.StatusOpen, session.Observation{Status: session.StatusQR}, false, false},
		{"a resumed session opens", session.StatusStarting, session.Observation{Status: session.StatusOpen, Me: &me}, false, true},
		{"a drop while open", session.StatusOpen, session.Observation{Status: session.StatusReconnecting, Reason: "lost"}, false, true},
		{"logged out opens without a QR", session.StatusLoggedOut, session.Observation{Status: session.StatusOpen, Me: &me}, true, true},
		{"replaced reconnects", session.StatusReplaced, session.Observation{Status: session.StatusReconnecting, Reason: "retry"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			snap := newSession(t).Snapshot()
			snap.Status, snap.Me = tt.from, &me
			s := session.Rehydrate(snap)
			at := t0.Add(time.Hour)
			irregular, err := s.Observe(tt.obs, at)
			if err != nil {
				t.Fatal(err)
			}
			if irregular != tt.wantIrregular || irregular == tt.from.CanBecome(tt.obs.Status) {
				t.Fatalf("irregular = %v, want %v", irregular, tt.wantIrregular)
			}
			if s.Status() != tt.obs.Status || s.LastError() != tt.obs.Reason || s.UpdatedAt() != at {
				t.Fatalf("after observing %+v: %+v", tt.obs, s.Snapshot())
			}
			if (s.Me() != nil) != tt.wantMe {
				t.Fatalf("me = %+v, want present=%v", s.Me(), tt.wantMe)
			}
		})
	}
}

func TestObserve_AStoppedSessionIgnoresItsTransport(t *testing.T) {
	t.Parallel()
	for _, next := range allStatuses {
		if next == session.StatusStopped {
			continue
		}
		t.Run(string(next), func(t *testing.T) {
			t.Parallel()
			s := newSession(t)
			if err := s.Stop(false, t0); err != nil {
				t.Fatal(err)
			}
			_, err := s.Observe(session.Observation{Status: next, Me: &me}, t0.Add(time.Hour))
			if !fault.Is(err, fault.KindFailedPrecondition) {
				t.Fatalf("err = %v, want failed precondition", err)
			}
			if s.Status() != session.StatusStopped || s.UpdatedAt() != t0 {
				t.Fatalf("a stopped session followed its transport: %+v", s.Snapshot())
			}
		})
	}
}

func TestObserve_UnknownStatusIsRefused(t *testing.T) {
	t.Parallel()
	s := newSession(t)
	if _, err := s.Observe(session.Observation{Status: "bogus"}, t0); !fault.Is(err, fault.KindInvalid) || s.Status() != session.StatusStarting {
		t.Fatalf("err = %v, status %s", err, s.Status())
	}
}

func TestUnlinked(t *testing.T) {
	t.Parallel()
	want := map[session.Status]bool{session.StatusQR: true, session.StatusPairing: true, session.StatusLoggedOut: true}
	for _, st := range allStatuses {
		for _, linked := range []bool{true, false} {
			snap := newSession(t).Snapshot()
			snap.Status, snap.Me = st, nil
			if linked {
				snap.Me = &me
			}
			w := want[st] || st == session.StatusStopped && !linked
			if got := session.Rehydrate(snap).Unlinked(); got != w {
				t.Errorf("%s (identity %v): Unlinked = %v, want %v", st, linked, got, w)
			}
		}
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
