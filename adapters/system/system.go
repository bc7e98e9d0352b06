// Package system provides the real clock and ULID ids.
package system

import (
	"time"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// Clock is the wall clock.
type Clock struct{}

func (Clock) Now() time.Time { return time.Now().UTC() }

// IDs makes ULIDs.
type IDs struct{}

func (IDs) NewID() string { return event.NewID(time.Now()) }

var (
	_ ports.Clock = Clock{}
	_ ports.IDs   = IDs{}
)
