package sandbox

import (
	"testing"

	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestTransportContract(t *testing.T) {
	t.Parallel()
	contract.RunTransport(t, contract.TransportHarness{New: func(t *testing.T) (ports.Transport, contract.TransportWorld) {
		n, _ := newTestNetwork(t, Config{Seed: 7})
		return n, contract.SandboxWorld(n, n)
	}})
}

func TestPeopleContract(t *testing.T) {
	t.Parallel()
	contract.RunPeople(t, contract.PeopleHarness{New: func(t *testing.T) (contract.PeopleTransport, contract.TransportWorld) {
		n, _ := newTestNetwork(t, Config{Seed: 7})
		return n, contract.SandboxWorld(n, n)
	}})
}
