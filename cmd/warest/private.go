package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// makePrivate takes group and other permissions away from the data that exists
// already: everything under the data directory (the gateway's own), the blob store
// and the SQLite database with its -wal and -shm files wherever they are. They hold
// message texts, device keys and media, and earlier versions created some of them
// 0644/0750. What the adapters create is private from the start (files 0600,
// directories 0700, whatever the umask). A path that cannot be changed (say, a
// mount point owned by another user) is logged and left as it is: the gateway
// still works, and the operator learns which path stays readable.
func makePrivate(c Config, log *slog.Logger) {
	warn := func(p string, err error) {
		log.Warn("could not make a data path private to the gateway's user", "path", p, "err", err)
	}
	for _, root := range []string{c.DataDir, c.Messaging.StorageRoot} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					warn(p, err)
				}
				return nil // on with the rest
			}
			tightened, err := private(p)
			if err != nil {
				warn(p, err)
				return nil
			}
			if d.IsDir() && !tightened {
				// Nobody else can enter a directory that was private already, so
				// what it holds is out of their reach: the walk stays off every
				// blob once the data is private, instead of visiting each per boot.
				return filepath.SkipDir
			}
			return nil
		})
	}
	if c.DBClient == "sqlite" {
		for _, p := range []string{c.SQLitePath, c.SQLitePath + "-wal", c.SQLitePath + "-shm"} {
			if _, err := private(p); err != nil {
				warn(p, err)
			}
		}
	}
}

// private removes the group and other permission bits of p, if it exists, and
// reports whether it had any; it leaves symbolic links alone.
func private(p string) (bool, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil || fi.Mode()&fs.ModeSymlink != 0 || fi.Mode().Perm()&0o077 == 0 {
		return false, err
	}
	return true, os.Chmod(p, fi.Mode().Perm()&0o700)
}
