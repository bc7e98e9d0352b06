package ingest

import (
	"context"
	"reflect"

	"github.com/warest-go/warest/application/eventlog"
	"github.com/warest-go/warest/domain/event"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// Fencing fences the writes of each session's events with this node's lease when
// several nodes share the store.
type Fencing struct {
	Fences ports.Fences // nil: unfenced
}

// fence gives ctx the fence of this node's lease on the event's session (several
// nodes on one store), so the store refuses the event's writes once another node
// owns the session.
func (in *Fencing) fence(ctx context.Context, e ports.TransportEvent) context.Context {
	if in.Fences == nil {
		return ctx
	}
	ctx, _ = in.Fences.Fence(ctx, sessionOf(e))
	return ctx
}

// fenced reports whether err is the store's refusal of a write under an old fence;
// the session's runtime is then stopped.
func (in *Fencing) fenced(e ports.TransportEvent, err error) bool {
	fe, ok := fault.As(err)
	if !ok || fe.Reason != fault.ReasonFenced || in.Fences == nil {
		return false
	}
	in.Fences.Fenced(sessionOf(e))
	return true
}

// ofConnection reports whether e tells of the connection itself (its status, a QR):
// fenced, it is about a connection this node no longer runs, so it is dropped. Left
// unacknowledged, the transport would retry it until this node owned the session
// again, and then apply it to the new connection (a "replaced" on a live session).
// Any other event stays unacknowledged: the network hands it to the session's next
// connection, whichever node runs it.
func ofConnection(e ports.TransportEvent) bool {
	switch e.(type) {
	case ports.TransportQR, ports.TransportConnected, ports.TransportDisconnected, ports.TransportLoggedOut,
		ports.TransportReplaced:
		return true
	}
	return false
}

// appendEvent records one event in a transaction of its own: the store checks a
// session's fence in transactions only.
func appendEvent(ctx context.Context, store ports.Store, clock ports.Clock, t event.Type, sessionID string, data event.Data) error {
	return store.InTx(ctx, func(r ports.Repositories) error { return eventlog.Append(ctx, r, clock, t, sessionID, data) })
}

// sessionOf names the session of a transport event: every variant has a SessionID,
// TransportMessage in its Message.
func sessionOf(e ports.TransportEvent) string {
	v := reflect.Indirect(reflect.ValueOf(e))
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("SessionID"); f.Kind() == reflect.String {
		return f.String()
	}
	if m := v.FieldByName("Message"); m.Kind() == reflect.Struct {
		if f := m.FieldByName("SessionID"); f.Kind() == reflect.String {
			return f.String()
		}
	}
	return ""
}
