package studio_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// BenchmarkFirstRun measures fresh machine → Ready against the stand-ins
// on a slow network (each hub connection capped, the wheel index capped
// and PyTorch made heavy): the install alone, the downloads alone, one
// after the other (the old setup order) and FirstRun's overlap. The
// overlap's metrics say how close it comes to max(install, download)
// (1.0 = no cost at all) and what share of the sum it takes.
//
//	CGO_ENABLED=0 go test -tags ci -run '^$' -bench FirstRun -benchtime 3x ./engine/studio/
func BenchmarkFirstRun(b *testing.B) {
	ctx, cancel := context.WithTimeout(b.Context(), 30*time.Minute)
	defer cancel()
	w, getenv := e2e.ForTestWith(b, ctx, e2e.Options{HubRate: 1 << 10, WheelRate: 1 << 20, TorchPad: 6 << 20})
	b.Setenv("PIP_NO_CACHE_DIR", "1") // the installer's pip sees this process's environment
	b.Setenv("UV_NO_CACHE", "1")
	modes := []workflows.ModeID{workflows.T2V, workflows.I2V}
	fresh := func(b *testing.B) *studio.Studio {
		root := b.TempDir()
		env := func(k string) string {
			if k == "HF_HUB_CACHE" {
				return filepath.Join(root, "hf")
			}
			return getenv(k)
		}
		s, err := studio.Open(studio.Options{Dirs: appdirs.Under(filepath.Join(root, "home")), Getenv: env, Install: func(c *install.Config) {
			c.ComfyCommit = w.Commit
			c.DriverVersion = func(context.Context) (string, error) { return "", nil }
		}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = s.Close() })
		return s
	}
	install := func(b *testing.B, s *studio.Studio) {
		evs := make(chan install.Event, 64)
		go func() {
			for range evs {
			}
		}()
		defer close(evs)
		if err := s.Install(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
	download := func(b *testing.B, s *studio.Studio) {
		refs, err := studio.RefsFor(modes, workflows.FP8)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Download(ctx, refs, nil); err != nil {
			b.Fatal(err)
		}
	}
	var took = map[string]time.Duration{}
	run := func(name string, body func(b *testing.B, s *studio.Studio)) {
		b.Run(name, func(b *testing.B) {
			var sum time.Duration
			for b.Loop() {
				b.StopTimer()
				s := fresh(b)
				b.StartTimer()
				t := time.Now()
				body(b, s)
				sum += time.Since(t)
			}
			took[name] = sum / time.Duration(b.N)
			b.ReportMetric(took[name].Seconds(), "s/ready")
			if name == "overlapped" {
				inst, dl := took["install"], took["download"]
				if inst > 0 && dl > 0 {
					b.ReportMetric(took[name].Seconds()/max(inst, dl).Seconds(), "x-of-max")
					b.ReportMetric(took[name].Seconds()/(inst+dl).Seconds(), "x-of-sum")
				}
			}
		})
	}
	run("install", install)
	run("download", download)
	run("sequential", func(b *testing.B, s *studio.Studio) { install(b, s); download(b, s) })
	run("overlapped", func(b *testing.B, s *studio.Studio) {
		if err := s.FirstRun(ctx, studio.SetupChoice{Modes: modes, Precision: workflows.FP8}, studio.SetupReport{}).Err(); err != nil {
			b.Fatal(err)
		}
	})
}
