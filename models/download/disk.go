package download

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

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

// SpaceError says the disk is too full to start.
type SpaceError struct {
	Dir        string
	Need, Free uint64
	Margin     uint64 // kept free on top of Need (see SpaceMargin)
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("not enough disk space in %s: %s needed plus %s kept free for ComfyUI and the system, %s free; free some space or move the Hugging Face cache (HF_HUB_CACHE)",
		e.Dir, HumanBytes(int64(e.Need)), HumanBytes(int64(e.Margin)), HumanBytes(int64(e.Free)))
}

// SpaceMargin is what a download of need bytes leaves free on its disk: a
// disk filled to the last byte breaks ComfyUI (temp files, the videos it
// saves), the app's own queue and the system, and filesystems reserve some
// blocks the free count does not show. 1 GiB, or 2 % of a larger download.
func SpaceMargin(need int64) uint64 {
	m := uint64(1 << 30)
	if p := uint64(max(need, 0) / 50); p > m {
		m = p
	}
	return m
}

// Fits reports whether need bytes fit into free with the margin left over.
func Fits(need int64, free uint64) bool {
	return need <= 0 || uint64(need)+SpaceMargin(need) <= free
}

// HumanBytes formats n like "4.2 GB".
func HumanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
