package studio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// A check that never answers ends at its deadline with a verdict and a fix,
// and the other checks are reported before it: the setup list never waits
// on its slowest probe.
func TestChecksRunAtOnceWithDeadlines(t *testing.T) {
	reported := make(chan struct{})
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir()), CheckWait: 200 * time.Millisecond,
		Install: func(c *install.Config) {
			// A stuck nvidia-smi: it answers only when its deadline ends.
			c.DriverVersion = func(ctx context.Context) (string, error) {
				<-reported
				<-ctx.Done()
				return "", ctx.Err()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var gpu studio.Check
	s.RunChecks(t.Context(), func(c studio.Check) {
		order = append(order, c.ID)
		if c.ID == "disk" {
			close(reported) // the GPU check is still waiting: the disk was reported first
		}
		if c.ID == "gpu" {
			gpu = c
		}
	})
	if len(order) != 4 || order[0] == "gpu" {
		t.Fatalf("reported in order %v", order)
	}
	if gpu.Verdict != studio.Warn || !strings.Contains(gpu.Detail, "Did not answer within 200ms") || gpu.Fix == "" {
		t.Errorf("the stuck check: %+v", gpu)
	}
}

// The Python check speaks plain words, not the installer's strategy names.
func TestPythonCheckInPlainWords(t *testing.T) {
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Checks(t.Context()) {
		if c.ID == "python" && c.Verdict == studio.OK && (strings.Contains(c.Detail, "pip)") || strings.Contains(c.Detail, "base-pip") ||
			strings.Contains(c.Detail, "venv-pip")) {
			t.Errorf("python check: %q", c.Detail)
		}
	}
}

// BenchmarkChecks is the setup's first page on this machine: real git,
// Python and nvidia-smi probes, all at once.
func BenchmarkChecks(b *testing.B) {
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(b.TempDir())})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.Checks(context.Background())
	}
}
