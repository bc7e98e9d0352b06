package memory_test

import (
	"testing"

	"github.com/warest-go/warest/adapters/memory"
	"github.com/warest-go/warest/ports"
	"github.com/warest-go/warest/test/contract"
)

func TestStoreContract(t *testing.T) {
	t.Parallel()
	contract.RunStore(t, func(*testing.T) ports.Store { return memory.New() })
}
