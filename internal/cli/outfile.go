package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/originsim/originsim"
)

// writeOut writes the file at path through fn, all or nothing: into a
// temporary file in the same folder, renamed over path once complete, and
// removed if anything fails, so a failed or interrupted write leaves no
// half file and the old one untouched. An existing path is a state
// conflict (exit 3) unless force; flag names the option in messages.
func writeOut(flag, path string, force bool, fn func(io.Writer) error) error {
	if err := refuseExisting(flag, path, force); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(cmpDir(dir), "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	err = errors.Join(fn(tmp), tmp.Chmod(0o644), tmp.Sync())
	err = errors.Join(err, tmp.Close())
	if err == nil {
		// Checked again: a file may have appeared while this one was
		// written.
		err = refuseExisting(flag, path, force)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
		if err != nil {
			err = fmt.Errorf("%s %s: %w", flag, path, err)
		}
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func refuseExisting(flag, path string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%w: %s %s already exists: give --force to replace it, or another file name", originsim.ErrState, flag, path)
	}
	return nil
}

func cmpDir(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}
