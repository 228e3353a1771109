//go:build !windows

package install

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakePython writes an executable that answers the probe like a Python of
// version (or fails when version is ""), and notes each run in log.
func fakePython(t *testing.T, dir, name, version, log string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	body := "#!/bin/sh\necho " + name + " >> " + log + "\n"
	if version == "" {
		body += "echo \"" + name + ": command not found\" >&2\nexit 127\n"
	} else {
		body += "echo '" + version + " 1 24.0'\n"
	}
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// The first usable Python in preference order wins even though candidates
// are asked two at a time, and an interpreter reached under two names is
// asked once.
func TestFindPythonPrefersInOrderAndAsksOnce(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	fakePython(t, dir, "python3.12", "", log) // a pyenv shim for a Python not selected
	fakePython(t, dir, "python3.11", "3.11", log)
	fakePython(t, dir, "python3.10", "3.10", log)
	if err := os.Symlink(filepath.Join(dir, "python3.11"), filepath.Join(dir, "python3")); err != nil {
		t.Fatal(err)
	}
	cfg := Config{NoUV: true, GOOS: "linux", LookPath: func(name string) (string, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", exec.ErrNotFound
		}
		return p, nil
	}}.withDefaults()
	py, err := findPython(context.Background(), cfg)
	if err != nil || py.Version != "3.11" || filepath.Base(py.Exe) != "python3.11" {
		t.Fatalf("chose %+v, %v", py, err)
	}
	runs, _ := os.ReadFile(log)
	if n := strings.Count(string(runs), "python3.11"); n != 1 {
		t.Errorf("python3.11 asked %d times:\n%s", n, runs)
	}

	// None usable: the message lists what was found.
	fakePython(t, dir, "python3.11", "", log)
	fakePython(t, dir, "python3.10", "3.9", log)
	if _, err := findPython(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "python3.10 3.9") {
		t.Errorf("nothing usable: %v", err)
	}
}
