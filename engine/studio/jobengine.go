package studio

// The job engine: built on Start over the backends the settings name.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// jobEngine is the job engine, or nil while ComfyUI has not been started.
// Faces never see it: they use Generate, Subscribe and the queue calls.
func (s *Studio) jobEngine() *jobs.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs
}

// QueueDir holds the persisted queue (readable while the engine is down).
func (s *Studio) QueueDir() string { return filepath.Join(s.dirs.Data, "jobs") }

func (s *Studio) backends() []jobs.Backend {
	set := s.Settings()
	s.mu.Lock()
	port := s.port // followPort moves it when ComfyUI restarts elsewhere
	s.mu.Unlock()
	if s.server != nil {
		return []jobs.Backend{{Name: s.server.Name, URL: strings.TrimRight(s.server.URL, "/"), InputDir: s.server.InputDir}}
	}
	var out []jobs.Backend
	switch set.Backend {
	case settings.BackendManaged, settings.BackendFolder:
		b := jobs.Backend{URL: fmt.Sprintf("http://127.0.0.1:%d", port)}
		b.Name, b.GPU = primaryName(ChooseGPUs(set, s.gpus))
		if set.Backend == settings.BackendManaged {
			b.InputDir = filepath.Join(comfyui.Root(s.dirs, set), "input")
			if cur, err := s.Backend().Installer().Current(); err == nil {
				b.Commit = cur.ComfyCommit
			}
		} else if c, err := supervise.FolderConfig(set.FolderPath); err == nil {
			b.InputDir = c.InputDir
			if b.InputDir == "" {
				b.InputDir = filepath.Join(c.BaseDir, "input")
			}
		}
		out = append(out, b)
		if set.Backend == settings.BackendManaged {
			out = append(out, s.poolBackends(b)...)
		}
	}
	// Remote servers are extra workers for a local backend, or the only ones.
	for i, u := range set.RemoteURLs {
		out = append(out, jobs.Backend{Name: fmt.Sprintf("remote-%d %s", i+1, hostOf(u)), URL: strings.TrimRight(u, "/")})
	}
	return out
}

// hostOf names a remote server by host:port only: a password in the address
// must never reach a job record, a sidecar or the screen.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return "server"
}

// queueOpenTries bounds how long the owner waits for the queue's lock: only
// short-lived helpers (`queue cancel`, a CLI probing the queue) hold it
// besides the owner, so a second or so is plenty; then it says why.
const (
	queueOpenTries = 20
	queueOpenPause = 100 * time.Millisecond
)

func (s *Studio) startJobEngine(ctx context.Context) error {
	s.mu.Lock()
	if s.jobs != nil {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	bs := s.backends()
	if len(bs) == 0 {
		if s.face == face.Terminal {
			return errors.New("no ComfyUI to run jobs on; pass --backend URL (or set LTX_STUDIO_COMFYUI_URL)")
		}
		return errors.New("no ComfyUI to run jobs on; set one in Settings → ComfyUI")
	}
	var eng *jobs.Engine
	var err error
	for try := 0; ; try++ {
		eng, err = jobs.New(jobs.Config{QueueDir: s.QueueDir(), OutputDir: s.OutputDir(), Builder: jobs.WorkflowsBuilder{},
			Models: storeEnsurer{s}, Hashes: storeHasher{s}, Backends: bs, AppVersion: Version, Logger: s.log, Claim: s.claim, Face: s.face, Need: EstimatePeak,
			DeadAfter: s.deadAfter})
		if !errors.Is(err, jobs.ErrQueueBusy) || try >= queueOpenTries {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(queueOpenPause):
		}
	}
	if err != nil {
		return fmt.Errorf("opening the job queue: %w", err)
	}
	events, unsub := eng.Subscribe()
	go s.hub.relayJobs(events)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer unsub()
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("job engine", "err", err)
		}
	}()
	s.mu.Lock()
	s.jobs, s.stopJobs, s.jobsDone = eng, cancel, done
	s.mu.Unlock()
	return nil
}

func (s *Studio) stopJobEngine() {
	s.mu.Lock()
	eng, cancel, done := s.jobs, s.stopJobs, s.jobsDone
	s.jobs, s.stopJobs, s.jobsDone = nil, nil, nil
	s.mu.Unlock()
	if eng == nil {
		return
	}
	cancel()
	<-done
	eng.Close()
}

// QueueFree takes and drops the queue's lock: jobs.ErrQueueBusy while
// another process (the window, another generate) has the queue open.
// Starting the managed ComfyUI stops any ComfyUI the app started before, so
// a second face must know the queue is free before it starts anything.
func (s *Studio) QueueFree() error {
	e, err := jobs.New(jobs.Config{QueueDir: s.QueueDir(), OutputDir: os.TempDir(), Builder: jobs.WorkflowsBuilder{},
		Backends: []jobs.Backend{{Name: "probe", URL: "http://127.0.0.1:1"}}, Claim: func(jobs.Job) bool { return false }})
	if err != nil {
		return err
	}
	e.Close()
	return nil
}
