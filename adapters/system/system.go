// Package system provides the real clock, ULID ids and the system's resolver.
package system

import (
	"context"
	"net"
	"net/netip"
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

// Resolver looks names up with the system's resolver.
type Resolver struct{}

func (Resolver) LookupNetIP(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

var _ ports.Resolver = Resolver{}
