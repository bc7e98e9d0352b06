package e2e

import "testing"

// A login outlives a restart of the gateway: the cookie's signing key comes from
// the secret key in the data directory, not from the process. Another
// WAREST_SECRET_KEY makes the cookie worthless, while the login's key still works.
func TestLoginSurvivesARestart(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	newUser(t, s, "alice")
	l := s.login("alice", "alice-password", "")
	s.restart()
	if k, c := s.opens(l); !k || !c {
		t.Fatalf("after a restart: key works %v, cookie works %v", k, c)
	}
	s.Env = append(s.Env, "WAREST_SECRET_KEY=another secret key")
	s.restart()
	if k, c := s.opens(l); !k || c {
		t.Fatalf("after a restart with another secret key: key works %v (want true), cookie works %v (want false)", k, c)
	}
}
