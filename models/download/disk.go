package download

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/shirou/gopsutil/v4/disk"
)

// DiskFree reports the bytes free to us on dir's volume; for a folder not yet
// created it asks about the nearest existing parent.
func DiskFree(dir string) (uint64, error) {
	for {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	u, err := disk.Usage(dir)
	if err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return u.Free, nil
}
