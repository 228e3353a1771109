package studio

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/jobs"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Several GPUs in one workstation: the managed ComfyUI runs once per chosen
// GPU. The first chosen GPU is the classic backend (s.backend: the header's
// state, the logs tab, the install); every further one is a poolMember with
// its own port, pidfile, log and user/temp/output folders. The job engine
// gets one worker per member and dispatches each job to an idle GPU with
// room for it (jobs/dispatch.go).

// gpuListWait bounds the GPU lookup at start (NVML answers in milliseconds;
// nvidia-smi can take a second on a busy machine).
const gpuListWait = 5 * time.Second

// poolMember is one extra managed ComfyUI, pinned to one GPU.
type poolMember struct {
	dev     gpu.Device
	backend *comfyui.Backend
	port    int
}

// PoolMember is one ComfyUI the app runs jobs on, for the window and the CLI.
type PoolMember struct {
	Name  string      // as jobs name their backend ("GPU 1", "local", "remote-1 host:port")
	GPU   *gpu.Device // nil for a remote server or when no GPU was found
	URL   string      // "" until it answers
	State status.Event
}

// findGPUs lists the machine's GPUs once, at Open.
func (s *Studio) findGPUs(list func(context.Context) ([]gpu.Device, error)) {
	if list == nil {
		list = gpu.List
	}
	s.listGPUs = list
	ctx, cancel := context.WithTimeout(context.Background(), gpuListWait)
	defer cancel()
	devs, err := list(ctx)
	if err != nil {
		s.log.Info("no GPU list", "reason", err)
	}
	s.gpus = devs
}

// GPUs are the GPUs found at start (empty without an NVIDIA driver).
func (s *Studio) GPUs() []gpu.Device { return slices.Clone(s.gpus) }

// ChosenGPUs are the GPUs that each run a managed ComfyUI under the
// settings in force.
func (s *Studio) ChosenGPUs() []gpu.Device {
	return ChooseGPUs(s.Settings(), s.gpus)
}

// MinFP8Need is the smallest estimated peak of any mode's default form at
// fp8: a GPU with less memory cannot run LTX-2.3 at all.
func MinFP8Need() uint64 {
	var need uint64
	for _, m := range workflows.Modes() {
		f := workflows.DefaultForm(m.ID)
		f.Precision = workflows.FP8
		if n := EstimatePeak(f); need == 0 || n < need {
			need = n
		}
	}
	return need
}

// ChooseGPUs applies Settings → GPUs to use to the GPUs found: the listed
// ones that exist, or (automatic) every GPU whose memory fits a mode at fp8.
// When automatic finds none that fits it keeps the first GPU (the form's fit
// check then says what to change), so there is always a GPU to try.
func ChooseGPUs(set settings.Settings, found []gpu.Device) []gpu.Device {
	if want := set.ChosenGPUs(); len(want) > 0 {
		var out []gpu.Device
		for _, n := range want {
			for _, d := range found {
				if d.Index == n {
					out = append(out, d)
				}
			}
		}
		return out
	}
	need := MinFP8Need()
	var out []gpu.Device
	for _, d := range found {
		if d.TotalBytes() >= need {
			out = append(out, d)
		}
	}
	if len(out) == 0 && len(found) > 0 {
		out = found[:1]
	}
	return out
}

// gpuBackendName is how a job names the GPU it runs on.
func gpuBackendName(d gpu.Device) string { return fmt.Sprintf("GPU %d", d.Index) }

// pinPrimary pins the classic backend to the first chosen GPU, when a GPU
// was chosen at all (a machine without a driver runs ComfyUI as before).
func pinPrimary(c *supervise.Config, chosen []gpu.Device) {
	if len(chosen) > 0 {
		comfyui.PinGPU(c, chosen[0].Index)
	}
}

// buildPoolLocked makes one extra managed ComfyUI per chosen GPU after the
// first. Called from apply with mu held.
func (s *Studio) buildPoolLocked(set settings.Settings, chosen []gpu.Device, opts func(port int, dev gpu.Device) comfyui.Options) {
	s.pool = nil
	if set.Backend != settings.BackendManaged || len(chosen) < 2 {
		return
	}
	for _, d := range chosen[1:] {
		port, err := freePort()
		if err != nil {
			s.log.Warn("no free port for the ComfyUI of a GPU; it is left out", "gpu", d.Index, "err", err)
			continue
		}
		s.pool = append(s.pool, &poolMember{dev: d, port: port, backend: comfyui.New(opts(port, d))})
	}
}

// memberSupervise is the supervisor config of the extra ComfyUI on GPU d:
// its own port, pidfile, log and user/temp/output folders.
func (s *Studio) memberSupervise(set settings.Settings, port int, d gpu.Device) func(*supervise.Config) {
	dir := comfyui.GPUDir(s.dirs, set, d.Index)
	return func(c *supervise.Config) {
		c.Port = port
		comfyui.PinGPU(c, d.Index)
		c.PidFile, c.LogPath = comfyui.PidFileGPU(s.dirs, d.Index), comfyui.LogPathGPU(s.dirs, d.Index)
		c.UserDir, c.TempDir, c.OutputDir = filepath.Join(dir, "user"), filepath.Join(dir, "temp"), filepath.Join(dir, "output")
	}
}

func (s *Studio) poolMembers() []*poolMember {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pool)
}

// startPool starts every extra ComfyUI at once. One that fails stays out of
// the pool for this run (its worker waits offline): the other GPUs work.
func (s *Studio) startPool(ctx context.Context) {
	var keep []int
	for _, m := range s.poolMembers() {
		keep = append(keep, m.dev.Index)
	}
	if s.Settings().Backend == settings.BackendManaged {
		comfyui.StopStrays(ctx, s.dirs, keep)
	}
	var wg sync.WaitGroup
	for _, m := range s.poolMembers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.backend.Start(ctx); err != nil {
				s.log.Warn("the ComfyUI of a GPU did not start; the other GPUs go on", "gpu", m.dev.Index, "err", err)
			}
		}()
	}
	wg.Wait()
	s.followPoolPorts()
}

// stopPool stops every extra ComfyUI (their whole process trees).
func (s *Studio) stopPool(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, 0)
	var mu sync.Mutex
	for _, m := range s.poolMembers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.backend.Stop(ctx); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("stopping the ComfyUI of GPU %d: %w", m.dev.Index, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// followPoolPorts reopens the job queue when an extra ComfyUI had to move
// to another port (like followPort for the classic one).
func (s *Studio) followPoolPorts() {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.stopPoolWatch != nil {
		s.stopPoolWatch()
	}
	s.stopPoolWatch = cancel
	s.mu.Unlock()
	for _, m := range s.poolMembers() {
		// Its jobs re-queue onto the other GPUs; the header follows the
		// first GPU's ComfyUI only, so a crash is said here.
		crashed := func(ev status.Event) {
			if ev.State == status.Crashed {
				s.log.Warn("the ComfyUI of a GPU crashed", "gpu", m.dev.Index, "why", ev.Message, "final", ev.Final)
			}
		}
		s.watchPort(ctx, m.backend, &m.port, func() bool { return true }, crashed, "gpu", m.dev.Index)
	}
}

func (s *Studio) stopFollowingPool() {
	s.mu.Lock()
	stop := s.stopPoolWatch
	s.stopPoolWatch = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// poolBackends are the job engine's backends for the extra GPUs.
func (s *Studio) poolBackends(primary jobs.Backend) []jobs.Backend {
	var out []jobs.Backend
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.pool {
		b := primary
		b.Name, b.GPU = gpuBackendName(m.dev), fmt.Sprint(m.dev.Index)
		b.URL = fmt.Sprintf("http://%s:%d", supervise.Host, m.port)
		out = append(out, b)
	}
	return out
}

// localName is the classic single local backend's name in job records.
const localName = "local"

// primaryName is how jobs name the classic backend: "local" with one GPU
// (as always), "GPU N" once there are several.
func primaryName(chosen []gpu.Device) (name, gpuIndex string) {
	if len(chosen) < 2 {
		return localName, ""
	}
	return gpuBackendName(chosen[0]), fmt.Sprint(chosen[0].Index)
}

// Pool lists every ComfyUI the app runs jobs on, in the job engine's order,
// with its GPU and state.
func (s *Studio) Pool() []PoolMember {
	chosen := s.ChosenGPUs()
	members := s.poolMembers()
	var out []PoolMember
	for _, b := range s.backends() {
		pm := PoolMember{Name: b.Name, URL: b.URL}
		for i := range chosen {
			if b.GPU == fmt.Sprint(chosen[i].Index) || (b.Name == localName && len(chosen) == 1 && i == 0) {
				d := chosen[i]
				pm.GPU = &d
			}
		}
		switch {
		case b.InputDir == "": // a remote server: no supervisor state
		case b.Name == localName || (len(chosen) > 0 && b.GPU == fmt.Sprint(chosen[0].Index)):
			pm.State = s.Backend().State()
		default:
			for _, m := range members {
				if gpuBackendName(m.dev) == b.Name {
					pm.State = m.backend.State()
				}
			}
		}
		out = append(out, pm)
	}
	return out
}

// GPUShare is what one of the app's ComfyUIs holds on its GPU: the memory
// its torch has reserved (system_stats), for the meter's per-GPU rows.
type GPUShare struct {
	GPU     int    // the GPU's index (0 when the app did not pick one)
	Backend string // the backend's name, as jobs show it
	Bytes   uint64
}

// ComfyVRAM reads each local ComfyUI's share of its GPU. Remote servers are
// left out: their GPUs are not in this machine's meter.
func (s *Studio) ComfyVRAM(ctx context.Context) []GPUShare {
	eng := s.jobEngine()
	if eng == nil {
		return nil
	}
	var out []GPUShare
	for _, pm := range s.Pool() {
		if pm.GPU == nil && pm.Name != localName {
			continue
		}
		st, err := eng.Stats(ctx, pm.Name)
		if err != nil || len(st.Devices) == 0 {
			continue
		}
		sh := GPUShare{Backend: pm.Name, Bytes: uint64(max(st.Devices[0].TorchVRAMTotal, 0))}
		if pm.GPU != nil {
			sh.GPU = pm.GPU.Index
		}
		out = append(out, sh)
	}
	return out
}

// LogsFor is the newest log lines of the ComfyUI a job ran on (by the
// backend name in its record): the failing GPU's own log, not the first
// one's. Remote servers and unknown names give nil.
func (s *Studio) LogsFor(backend string) []string {
	chosen := s.ChosenGPUs()
	if name, _ := primaryName(chosen); backend == name || backend == "" {
		return s.Backend().Logs()
	}
	for _, m := range s.poolMembers() {
		if gpuBackendName(m.dev) == backend {
			return m.backend.Logs()
		}
	}
	return nil
}
