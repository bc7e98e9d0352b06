package memory_test

import (
	"testing"

	"go.uber.org/fx"

	"github.com/warest-go/warest/adapters/memory"
	"github.com/warest-go/warest/ports"
)

func TestModuleProvidesStore(t *testing.T) {
	t.Parallel()
	if err := fx.ValidateApp(memory.Module, fx.Invoke(func(ports.Store) {})); err != nil {
		t.Fatal(err)
	}
}
