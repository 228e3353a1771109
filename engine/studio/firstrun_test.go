package studio_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/adopt"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func openStandins(t *testing.T, w *e2e.World, getenv func(string) string) *studio.Studio {
	t.Helper()
	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(w.Home), Getenv: getenv, Install: func(c *install.Config) {
		c.ComfyCommit = w.Commit
		c.DriverVersion = func(context.Context) (string, error) { return "", nil }
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func etagOf(r models.Ref) string {
	f, _ := models.LTX23().Lookup(r.Folder, r.Name)
	sum := sha256.Sum256(e2e.ModelData(f.Repo, f.PathInRepo))
	return hex.EncodeToString(sum[:])
}

// TestFirstRunAdoptsFilesTheUserAlreadyHas: a fresh data folder, and an
// existing ComfyUI holding two of the needed files plus a damaged copy of a
// third. Setup shows the two as found on disk; FirstRun installs ComfyUI
// while it adopts the two (hard links: the hub never serves their bytes),
// refuses the damaged one and downloads it; the first video is made.
func TestFirstRunAdoptsFilesTheUserAlreadyHas(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	modes := []workflows.ModeID{workflows.T2V}
	refs, err := studio.RefsFor(modes, workflows.FP8)
	if err != nil || len(refs) < 4 {
		t.Fatalf("refs %v, %v", refs, err)
	}
	have, damaged := refs[:2], refs[2]
	w, getenv := e2e.ForTestWith(t, ctx, e2e.Options{Existing: have, ExistingBad: []models.Ref{damaged}})
	s := openStandins(t, w, getenv)

	sv, err := s.SurveyModels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files, download := sv.For(modes, workflows.FP8)
	var all, onDisk int64
	for _, f := range files {
		all += f.Size
		found := f.Ref == have[0] || f.Ref == have[1] || f.Ref == damaged
		if found {
			onDisk += f.Size
		}
		if (f.State == studio.FoundOnDisk) != found {
			t.Errorf("%s: %s (at %q)", f.Ref, f.State, f.FoundAt)
		}
		if found && (!strings.HasPrefix(f.FoundAt, w.Existing) || f.From != adopt.FromEnv) {
			t.Errorf("%s found at %q from %q", f.Ref, f.FoundAt, f.From)
		}
	}
	// Only size is checked before setup starts: the damaged copy counts as found.
	if want := all - onDisk; download != want {
		t.Errorf("download total %d, want %d (all %d minus the three found)", download, want, all)
	}

	var mu sync.Mutex
	taken := map[models.Ref]adopt.Method{}
	refused := map[models.Ref]error{}
	res := s.FirstRun(ctx, studio.SetupChoice{Modes: modes, Precision: workflows.FP8}, studio.SetupReport{
		Adopt: func(e studio.AdoptEvent) {
			mu.Lock()
			defer mu.Unlock()
			if e.Method != "" {
				taken[e.Ref] = e.Method
			}
			if e.Err != nil {
				refused[e.Ref] = e.Err
			}
		},
	})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	for _, r := range have {
		if taken[r] != adopt.Hardlinked {
			t.Errorf("%s: adopted by %q, want a hard link", r, taken[r])
		}
	}
	var mm *adopt.MismatchError
	if !errors.As(refused[damaged], &mm) || taken[damaged] != "" {
		t.Errorf("damaged copy: taken %q, refused %v", taken[damaged], refused[damaged])
	}
	// The hub's log proves it: the adopted files' bytes were never served,
	// the damaged one's were.
	log := strings.Join(w.Hub.Requests(), "\n")
	for _, r := range have {
		if strings.Contains(log, "GET storage /blobs/"+etagOf(r)) {
			t.Errorf("%s was downloaded although it was on disk", r)
		}
	}
	if !strings.Contains(log, "GET storage /blobs/"+etagOf(damaged)) {
		t.Errorf("the damaged file was not downloaded:\n%s", log)
	}
	// The user's copies are untouched, the damaged one included.
	for _, r := range append(have, damaged) {
		if _, err := os.Stat(filepath.Join(w.Existing, "models", r.Folder, r.Name)); err != nil {
			t.Errorf("the user's %s is gone: %v", r, err)
		}
	}
	if s.NeedsSetup() {
		t.Fatal("setup still needed after FirstRun")
	}
	firstVideo(t, ctx, s, modes[0])
}

// firstVideo starts the studio and makes one video of mode.
func firstVideo(t *testing.T, ctx context.Context, s *studio.Studio, mode workflows.ModeID) {
	t.Helper()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sub, unsub := s.Subscribe()
	defer unsub()
	f := workflows.DefaultForm(mode)
	f.Prompt = "a lighthouse at dusk, waves"
	job, err := s.Generate(ctx, f, studio.GenerateOptions{FetchModels: true, AnyFit: true})
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case ev := <-sub:
			if c, ok := jobChange(ev); ok && c.Job.ID == job.ID && c.Job.State.Finished() {
				if c.Job.State != jobs.Done {
					t.Fatalf("job ended %s: %s", c.Job.State, c.Job.Error)
				}
				hist, err := s.History()
				if err != nil || len(hist) != 1 {
					t.Fatalf("history %+v, %v", hist, err)
				}
				if _, err := os.Stat(hist[0].Video); err != nil {
					t.Fatal(err)
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("job did not finish")
		}
	}
}

// TestFirstRunTracksFailAlone: the install fails (its git repository is
// unreachable) while the models arrive; the models stay. After a restart
// with the repository back, FirstRun resumes: the install runs, and the
// hub serves no model byte again.
func TestFirstRunTracksFailAlone(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	w, getenv := e2e.ForTest(t, ctx)
	broken := func(k string) string {
		if k == "LTX_COMFYUI_GIT_URL" {
			return "file://" + filepath.Join(w.Dir, "no-such-repo.git")
		}
		return getenv(k)
	}
	s := openStandins(t, w, broken)
	c := studio.SetupChoice{Modes: []workflows.ModeID{workflows.T2V}, Precision: workflows.FP8}
	res := s.FirstRun(ctx, c, studio.SetupReport{})
	if res.Install == nil || res.Models != nil {
		t.Fatalf("want the install alone to fail: %+v", res)
	}
	if !s.SetupStarted() || !s.NeedsSetup() {
		t.Fatal("an unfinished setup must resume after a restart")
	}
	_ = s.Close()

	w.Hub.Reset()
	s = openStandins(t, w, getenv) // the restart, with the repository back
	if !s.SetupStarted() {
		t.Fatal("the saved choice was lost")
	}
	if res := s.FirstRun(ctx, c, studio.SetupReport{}); res.Err() != nil {
		t.Fatal(res.Err())
	}
	for _, r := range w.Hub.Requests() {
		if strings.HasPrefix(r, "GET ") {
			t.Errorf("model bytes fetched again after the restart: %s", r)
		}
	}
	if s.NeedsSetup() || s.SetupStarted() {
		t.Fatal("setup not finished")
	}
}
