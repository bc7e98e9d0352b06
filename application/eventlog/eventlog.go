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
	e, err := event.New(t, sessionID, clock.Now(), data)
	if err != nil {
		return err
	}
	_, err = r.Events().Append(ctx, e)
	return err
}
