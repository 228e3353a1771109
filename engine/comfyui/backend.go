// Package comfyui is the app's one handle on ComfyUI: install (package
// install), run and watch (package supervise) or connect to one the user
// runs, with a single typed state stream (package status) for the status
// bar and the job layer.
package comfyui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// Options wire a Backend.
type Options struct {
	Dirs     appdirs.Dirs
	Settings settings.Settings
	// Packs are the custom node packs the workflows need (workflows.CustomNodePacks).
	Packs []install.Pack
	// ExtraModelPaths are extra_model_paths.yaml files from the model store.
	ExtraModelPaths []string
	// Install adjusts the installer config after defaults and env overrides (tests, mirrors).
	Install func(*install.Config)
	// Supervise adjusts the supervisor config (tests: stall timeout, stand-in binary).
	Supervise func(*supervise.Config)
	Getenv    func(string) string // default os.Getenv
	Logger    *slog.Logger
	// Face words the fixes in messages for the window (default) or the
	// terminal (commands, flags and the settings file instead of screens).
	Face face.Face
}

// Root is where the managed ComfyUI lives: the setting, else Data/comfyui.
func Root(d appdirs.Dirs, s settings.Settings) string {
	if s.ManagedDir != "" {
		return s.ManagedDir
	}
	return filepath.Join(d.Data, "comfyui")
}

// PidFile and LogPath are fixed per user so a second app process (the CLI)
// finds the ComfyUI the first one started.
func PidFile(d appdirs.Dirs) string { return filepath.Join(d.State, "comfyui.pid") }

// LogPath is the rotated server log.
func LogPath(d appdirs.Dirs) string { return filepath.Join(d.State, "logs", "comfyui.log") }

// Backend is the ComfyUI the app uses, whatever its kind.
type Backend struct {
	o    Options
	hub  *status.Hub
	inst *install.Installer

	mu     sync.Mutex
	sup    *supervise.Supervisor
	remote string // BackendRemote: the checked URL
}

// New builds the backend; nothing starts.
func New(o Options) *Backend {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := install.FromEnv(install.Config{Root: Root(o.Dirs, o.Settings), Packs: o.Packs, Logger: o.Logger}, o.Getenv)
	if o.Install != nil {
		o.Install(&cfg)
	}
	return &Backend{o: o, hub: status.NewHub(), inst: install.New(cfg)}
}

// Installer gives the install's status and rollback.
func (b *Backend) Installer() *install.Installer { return b.inst }

// Subscribe returns state events (the current one first) and a cancel func.
func (b *Backend) Subscribe() (<-chan status.Event, func()) { return b.hub.Subscribe() }

// State is the latest state.
func (b *Backend) State() status.Event { return b.hub.Current() }

// URL is the ready server's base URL, "" when not ready.
func (b *Backend) URL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.remote != "" {
		return b.remote
	}
	if b.sup != nil {
		return b.sup.URL()
	}
	return ""
}

// Logs are the newest server log lines (managed and folder backends).
func (b *Backend) Logs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sup == nil {
		return nil
	}
	return b.sup.Logs()
}

// Install runs the installer (managed backend) with state Installing. The
// server is stopped first: a new build must not switch under a running one.
func (b *Backend) Install(ctx context.Context, events chan<- install.Event) error {
	return b.install(ctx, events, false)
}

// Repair verifies the current install and does again exactly the steps
// that fail (install.Installer.Repair); with no current install it installs.
func (b *Backend) Repair(ctx context.Context, events chan<- install.Event) error {
	return b.install(ctx, events, true)
}

func (b *Backend) install(ctx context.Context, events chan<- install.Event, repair bool) error {
	if b.o.Settings.Backend != settings.BackendManaged {
		return errors.New("the app only installs its own ComfyUI; " + b.switchToManaged())
	}
	if err := b.Stop(ctx); err != nil {
		return err
	}
	// A repair mends the current build in place: never under a ComfyUI
	// that another app process (the window, a terminal) runs from it.
	if pid, _, running := Running(ctx, b.o.Dirs); running && repair {
		how := "close the other window or let its job finish, then repair again"
		if b.o.Face == face.Terminal {
			how = "stop it first (ltx-studio comfyui stop), then repair again"
		}
		return fmt.Errorf("ComfyUI is running in another ltx-studio process (ComfyUI's process %d) and cannot be repaired under it; %s", pid, how)
	}
	what, run := "Installing", b.inst.Run
	if repair {
		what, run = "Checking and repairing", b.inst.Repair
	}
	b.hub.Publish(status.Event{State: status.Installing, Message: what + " ComfyUI…"})
	err := run(ctx, events)
	if err != nil {
		b.hub.Publish(status.Event{State: status.Crashed, Message: "ComfyUI install failed: " + err.Error(), Err: err})
		return err
	}
	b.hub.Publish(status.Event{State: status.Stopped, Message: "ComfyUI is installed"})
	return nil
}

// Start starts (managed, folder) or checks (remote) the backend and returns
// when it answers.
func (b *Backend) Start(ctx context.Context) error {
	s := b.o.Settings
	if s.Backend == settings.BackendRemote {
		if len(s.RemoteURLs) == 0 {
			return errors.New("no ComfyUI server address is set; " + b.addServer())
		}
		b.hub.Publish(status.Event{State: status.Starting, Message: "Connecting to " + shownURL(s.RemoteURLs[0]) + "…"})
		info, err := supervise.CheckRemote(ctx, s.RemoteURLs[0])
		if err != nil {
			b.hub.Publish(status.Event{State: status.Crashed, Message: err.Error(), Err: err})
			return err
		}
		b.mu.Lock()
		b.remote = info.URL
		b.mu.Unlock()
		b.hub.Publish(status.Event{State: status.Ready, URL: info.URL, Message: "Connected to ComfyUI " + info.ComfyUIVersion + " at " + shownURL(info.URL)})
		return nil
	}
	sup, err := b.supervisor()
	if err != nil {
		b.hub.Publish(status.Event{State: status.Crashed, Message: err.Error(), Err: err})
		return err
	}
	return sup.Start(ctx)
}

// Stop stops a supervised server (a remote one is only forgotten).
func (b *Backend) Stop(ctx context.Context) error {
	b.mu.Lock()
	sup := b.sup
	wasRemote := b.remote != ""
	b.remote = ""
	b.mu.Unlock()
	if wasRemote {
		b.hub.Publish(status.Event{State: status.Stopped, Message: "Disconnected from ComfyUI"})
	}
	if sup == nil {
		return nil
	}
	return sup.Stop(ctx)
}

// supervisor makes the supervisor for the configured backend, reusing the
// one there is unless the install changed under it.
func (b *Backend) supervisor() (*supervise.Supervisor, error) {
	d, s := b.o.Dirs, b.o.Settings
	var cfg supervise.Config
	switch s.Backend {
	case settings.BackendFolder:
		c, err := supervise.FolderConfig(s.FolderPath)
		if err != nil {
			return nil, err
		}
		cfg = c
		cfg.UserDir = "" // the folder's own user/ (its settings and workflows)
		cfg.Foreign = true
	case settings.BackendManaged:
		build, err := b.inst.Current()
		if errors.Is(err, install.ErrNotInstalled) {
			how := "install it in Settings → Repair (it opens the setup)"
			if b.o.Face == face.Terminal {
				how = "run `ltx-studio comfyui install`"
			}
			return nil, fmt.Errorf("%w; %s", err, how)
		}
		if err != nil {
			return nil, err
		}
		root := Root(d, s)
		cfg = supervise.Config{Python: build.PythonPath(), ComfyDir: build.ComfyDir(), BaseDir: build.BaseDir(),
			UserDir: filepath.Join(root, "user"), InputDir: filepath.Join(root, "input"),
			OutputDir: filepath.Join(root, "output"), TempDir: filepath.Join(root, "temp")}
	default:
		return nil, fmt.Errorf("unknown ComfyUI backend %q", s.Backend)
	}
	cfg.ExtraModelPaths = b.o.ExtraModelPaths
	cfg.VRAMMode, cfg.ReserveVRAMGiB = s.VRAMMode, s.ReserveVRAMGiB
	if s.GPUIndex > 0 {
		cfg.CUDADevice = fmt.Sprint(s.GPUIndex)
	}
	cfg.PidFile, cfg.LogPath = PidFile(d), LogPath(d)
	cfg.Hub, cfg.Logger = b.hub, b.o.Logger
	cfg.Face, cfg.SettingsFile = b.o.Face, b.settingsFile()
	if b.o.Supervise != nil {
		b.o.Supervise(&cfg)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sup != nil && b.sup.Config().Python == cfg.Python && b.sup.Config().Script == cfg.Script {
		return b.sup, nil
	}
	b.sup = supervise.New(cfg)
	return b.sup, nil
}

// StopDetached stops the ComfyUIs started by another app process (the
// window, or `ltx-studio comfyui start`), found through the pidfiles (one
// per GPU, see pool.go).
func StopDetached(ctx context.Context, d appdirs.Dirs) (bool, error) {
	return stopDetachedAll(ctx, d)
}

// Running reports the pidfile's ComfyUI if it is alive and supervised by a
// live ltx-studio process (the window, or `comfyui start`): pid and URL. A
// ComfyUI whose owner died is an orphan, never used: the next start stops it
// and runs one that dies with its own parent.
func Running(ctx context.Context, d appdirs.Dirs) (pid int, url string, ok bool) {
	pf, found := proc.ReadPidfile(PidFile(d))
	if !found || !proc.Running(ctx, pf.PID, pf.CreateTime) || !pf.OwnerAlive(ctx) {
		return 0, "", false
	}
	return pf.PID, fmt.Sprintf("http://%s:%d", supervise.Host, pf.Port), true
}

// shownURL hides a password in a server address: status messages are shown
// and logged.
func shownURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "…" + raw[i:]
	}
	return raw
}

// settingsFile is where the terminal changes what it has no flag for.
func (b *Backend) settingsFile() string { return settings.Store{Dir: b.o.Dirs.Config}.Path() }

func (b *Backend) switchToManaged() string {
	if b.o.Face == face.Terminal {
		return `set "backend": "managed" in ` + b.settingsFile() + " to use it"
	}
	return `switch Settings → ComfyUI to "managed" to use it`
}

func (b *Backend) addServer() string {
	if b.o.Face == face.Terminal {
		return "add its address to " + face.SettingsKey("remote_urls", b.settingsFile()) +
			", or pass generate --backend URL (or set LTX_STUDIO_COMFYUI_URL)"
	}
	return "add one in Settings → ComfyUI"
}

// Announce shows a state message in the header without touching the server
// (the studio says it waits for another process that owns the data folder).
func (b *Backend) Announce(ev status.Event) { b.hub.Publish(ev) }
