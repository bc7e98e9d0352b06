// Package quietsignal silences libsignal, on import. libsignal logs through a
// package global it sets lazily on first use, unsynchronised: two goroutines
// signing or encrypting at once race on it. Setting it at init, before any
// goroutine runs, avoids that; its debug output is of no use to us. Import it
// (for its side effect) wherever libsignal is used: the whatsmeow transport, its
// MySQL device store, the WhatsApp-protocol test server.
package quietsignal

import signallog "go.mau.fi/libsignal/logger"

func init() {
	var l signallog.Loggable = discard{}
	signallog.Setup(&l)
}

type discard struct{}

func (discard) Debug(string, string)   {}
func (discard) Info(string, string)    {}
func (discard) Warning(string, string) {}
func (discard) Error(string, string)   {}
func (discard) Configure(string)       {}
