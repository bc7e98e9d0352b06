//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// flock takes f's exclusive lock without waiting: ErrOtherNode while another open
// file holds it, in this process or another.
func flock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrOtherNode
	}
	if err != nil {
		return fmt.Errorf("sqlite: take the node lock: %w", err)
	}
	return nil
}
