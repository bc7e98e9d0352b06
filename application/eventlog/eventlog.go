// Package eventlog records domain events: the one way the use cases and workers append
// an event, inside the transaction of the change it describes.
package eventlog

import (
	"context"

	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/ports"
)

// Append records an event of type t for a session, stamped with the clock's time.
func Append(ctx context.Context, r ports.Repositories, clock ports.Clock, t event.Type, sessionID string, data event.Data) error {
	e, err := New(clock, t, sessionID, data)
	if err != nil {
		return err
	}
	_, err = r.Events().Append(ctx, e)
	return err
}

// New is an event of type t for a session, stamped with the clock's time, for a
// repository that stores it with the change it announces (Messages().Create).
func New(clock ports.Clock, t event.Type, sessionID string, data event.Data) (event.Envelope, error) {
	return event.New(t, sessionID, clock.Now(), data)
}
