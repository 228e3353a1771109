package lifecycle

import (
	"fmt"
	"os"
	"path/filepath"
)

// PrepareFyneDirs makes the folder Fyne keeps its cache in. Fyne creates
// only the last two levels itself, so on a fresh HOME (no ~/.cache yet) it
// logs "Failed to create fyne cache space" at every start.
func PrepareFyneDirs() error {
	base, err := os.UserCacheDir()
	if err != nil {
		return fmt.Errorf("finding the cache folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(base, "fyne"), 0o700); err != nil {
		return fmt.Errorf("making Fyne's cache folder: %w", err)
	}
	return nil
}
