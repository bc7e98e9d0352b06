package throttle

import "time"

// PresenceStep is one chat-state change of the sequence shown before a send, and the
// pause after it.
type PresenceStep struct {
	State string // available, composing, recording or paused
	Pause time.Duration
}

// span is a [min, max] pause.
type span struct{ min, max time.Duration }

func (s span) at(f float64) time.Duration { return s.min + time.Duration(f*float64(s.max-s.min)) }

// WAREST's delays (behaviour §1.4): available ~0.3–0.4 s, composing 1.2–1.85 s,
// recording 2.2–3.6 s, paused ~0.26–0.52 s.
var (
	availableSpan = span{300 * time.Millisecond, 400 * time.Millisecond}
	composingSpan = span{1200 * time.Millisecond, 1850 * time.Millisecond}
	recordingSpan = span{2200 * time.Millisecond, 3600 * time.Millisecond}
	pausedSpan    = span{260 * time.Millisecond, 520 * time.Millisecond}
)

// PresencePlan is the sequence available → state → paused with human-like pauses;
// rnd returns values in [0, 1) (math/rand/v2's Float64). state is "composing" or
// "recording"; anything else plans nothing.
func PresencePlan(state string, rnd func() float64) []PresenceStep {
	var middle span
	switch state {
	case "composing":
		middle = composingSpan
	case "recording":
		middle = recordingSpan
	default:
		return nil
	}
	return []PresenceStep{
		{State: "available", Pause: availableSpan.at(rnd())},
		{State: state, Pause: middle.at(rnd())},
		{State: "paused", Pause: pausedSpan.at(rnd())},
	}
}

// PaceLeft is how long the worker waits before the next send to a recipient last
// sent to at last, when sends to one recipient are spaced by pace.
func PaceLeft(last time.Time, pace time.Duration, now time.Time) time.Duration {
	return CooldownLeft(last, pace, now)
}
