package bus

import (
	"testing"
	"time"
)

func TestSignalReachesEveryHandlerOfItsTopicOnly(t *testing.T) {
	t.Parallel()
	b := newBus(t, Config{})
	first, second, other := make(chan string, 1), make(chan string, 1), make(chan string, 1)
	b.OnSignal("wake.x", func(k string) { first <- k })
	b.OnSignal("wake.x", func(k string) { second <- k })
	b.OnSignal("wake.y", func(k string) { other <- k })
	start(t, b)

	b.Signal("wake.x", "s1/m1")
	for _, c := range []chan string{first, second} {
		select {
		case k := <-c:
			if k != "s1/m1" {
				t.Fatalf("key = %q", k)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("a handler of the topic got no signal")
		}
	}
	select {
	case k := <-other:
		t.Fatalf("a handler of another topic got %q", k)
	case <-time.After(50 * time.Millisecond):
	}
}
