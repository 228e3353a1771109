package logs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// DefaultCrashLogs is how many crash logs are kept beside the rotated logs.
const DefaultCrashLogs = 10

// KeepCrash copies the current log to <name>.crash-<time>.log beside it, so
// the lines of a crash survive the rotation of later starts (which keeps only
// the last few launches). Only the newest keep crash logs stay (0 = 10). It
// returns the copy's path.
func (r *RotatingFile) KeepCrash(at time.Time, keep int) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if keep <= 0 {
		keep = DefaultCrashLogs
	}
	if r.f != nil {
		_ = r.f.Sync()
	}
	dst := crashName(r.Path, at) // a free name: no kept log is replaced
	if err := fileio.Copy(context.Background(), dst, r.Path, 0o644); err != nil {
		return "", fmt.Errorf("keeping the crash log: %w", err)
	}
	old := CrashLogs(r.Path)
	for len(old) > keep {
		os.Remove(old[0])
		old = old[1:]
	}
	return dst, nil
}

func crashName(path string, at time.Time) string {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	name := base + ".crash-" + at.UTC().Format("20060102-150405.000") + ".log"
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); err != nil {
			return name
		}
		name = fmt.Sprintf("%s.crash-%s-%d.log", base, at.UTC().Format("20060102-150405.000"), i)
	}
}

// CrashLogs lists the kept crash logs of the log at path, oldest first.
func CrashLogs(path string) []string {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	found, _ := filepath.Glob(base + ".crash-*.log")
	sort.Strings(found) // the UTC stamp sorts by time
	return found
}
