package sandbox

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/ports"
)

// WhatsApp lets a linked device hold one live connection. The network models it
// per client, a gateway process attached to the network: the client that starts a
// session runs its connection, a second client starting it replaces the first
// (which gets TransportReplaced and stops), and only the running client can send
// or make any other call that needs the connection.

// farewellFor bounds how long a replaced client is offered its TransportReplaced:
// a client that never takes it (frozen, or gone without detaching) must not keep
// a goroutine forever.
const farewellFor = 30 * time.Second

type clientKey struct{}

// AsClient marks the calls made with ctx as the given client's. Calls without it
// come from the default client "", the process the network runs in.
func AsClient(ctx context.Context, clientID string) context.Context {
	return context.WithValue(ctx, clientKey{}, clientID)
}

func clientOf(ctx context.Context) string {
	id, _ := ctx.Value(clientKey{}).(string)
	return id
}

// notRunningHere is the port's "session not open" refusal for a client that does
// not run the session's connection, another client may.
func notRunningHere(sessionID string) error {
	return fault.FailedPrecondition(fault.ReasonSessionNotOpen, "session %s is not connected by this client", sessionID)
}

// Detach records that a client went away (its process ended or its link to the
// network broke): replacing its connections later is a takeover from a dead
// client, not two live ones fighting over a device. Attach undoes it.
func (n *Network) Detach(clientID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.detached[clientID] = true
}

// Attach records that a client is (again) attached to the network.
func (n *Network) Attach(clientID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.detached, clientID)
}

// Replacements lists, oldest first, every connection that replaced another
// client's (ReplaceStream's simulated ones are not listed).
func (n *Network) Replacements() []ports.SandboxReplacement {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.replacements)
}

// Connections lists the started sessions by id with the client running each.
func (n *Network) Connections() []ports.SandboxConnection {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []ports.SandboxConnection
	for id, st := range n.sessions {
		if st.client != nil {
			out = append(out, ports.SandboxConnection{SessionID: id, Client: st.client.id, Connected: st.connected})
		}
	}
	slices.SortFunc(out, func(a, b ports.SandboxConnection) int { return strings.Compare(a.SessionID, b.SessionID) })
	return out
}

// replace ends the running client of st because client by starts the session:
// the old client is stopped and, if still attached, told TransportReplaced after
// the events it was delivering. Caller holds n.mu.
func (n *Network) replace(st *sessionState, by string) {
	old := st.client
	live := !n.detached[old.id]
	n.replacements = append(n.replacements, ports.SandboxReplacement{SessionID: st.id, Replaced: old.id, By: by,
		At: n.now(), Live: live})
	n.stopClient(st)
	if !live {
		return
	}
	f := newClient(old.id, old.sink)
	n.clients[f] = struct{}{}
	n.goroutines.Add(1)
	go func() {
		defer n.goroutines.Done()
		defer n.forget(f)
		stop := time.AfterFunc(farewellFor, f.cancel)
		defer stop.Stop()
		select {
		case <-old.done:
			f.deliver(ports.TransportReplaced{SessionID: st.id}, n.log.With("session", st.id, "client", old.id))
		case <-f.ctx.Done():
		}
	}()
}
