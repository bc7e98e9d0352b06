//go:build !unix

package sqlite

import "os"

// flock is not enforced where the system has no flock: a second process is not
// refused there.
func flock(*os.File) error { return nil }
