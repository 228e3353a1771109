package comfyui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// folderWithStandIn lays out an existing "ComfyUI folder" whose venv python
// is the stand-in program (it ignores the main.py argument).
func folderWithStandIn(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	py := filepath.Join(dir, "venv", "bin", "python")
	os.MkdirAll(filepath.Dir(py), 0o755)
	build := exec.Command("go", "build", "-o", py, "github.com/ltxstudio/ltx-studio/internal/fakecomfy")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "main.py"), []byte("# stand-in\n"), 0o644)
	return dir
}

func TestFolderThenRemoteBackends(t *testing.T) {
	if os.Getenv("GOOS") == "windows" {
		t.Skip("POSIX venv layout")
	}
	dirs := appdirs.Under(t.TempDir())
	s := settings.Defaults()
	s.Backend, s.FolderPath = settings.BackendFolder, folderWithStandIn(t)
	s.VRAMMode = settings.VRAMLow
	b := New(Options{Dirs: dirs, Settings: s, Supervise: func(c *supervise.Config) { c.StallTimeout, c.MaxRestarts = 10*time.Second, -1 }})
	ch, cancel := b.Subscribe()
	defer cancel()
	if err := b.Install(t.Context(), nil); err == nil {
		t.Error("Install accepted for a folder backend")
	}
	if err := b.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for e := range ch {
		if e.State == status.Ready {
			break
		}
	}
	pid, url, ok := Running(t.Context(), dirs)
	if !ok || url != b.URL() || pid == 0 {
		t.Fatalf("Running = %d %q %v, URL %q", pid, url, ok, b.URL())
	}
	found := false
	for _, l := range b.Logs() {
		if l == "[INFO] Set vram state to: LOW_VRAM" {
			found = true
		}
	}
	if !found {
		t.Errorf("VRAM mode not passed: %q", b.Logs())
	}

	// A second app process connects to it as a remote server.
	rs := settings.Defaults()
	rs.Backend, rs.RemoteURLs = settings.BackendRemote, []string{url}
	remote := New(Options{Dirs: appdirs.Under(t.TempDir()), Settings: rs})
	if err := remote.Start(t.Context()); err != nil || remote.URL() != url || remote.State().State != status.Ready {
		t.Fatalf("remote: %v %q %v", err, remote.URL(), remote.State())
	}
	remote.Stop(t.Context())

	// The CLI's `comfyui stop` path: stop it through the pidfile.
	stopped, err := StopDetached(t.Context(), dirs)
	if err != nil || !stopped {
		t.Fatalf("StopDetached = %v %v", stopped, err)
	}
	if _, _, ok := Running(t.Context(), dirs); ok {
		t.Fatal("still running")
	}
	b.Stop(t.Context())
}

func TestManagedWithoutInstall(t *testing.T) {
	dirs := appdirs.Under(t.TempDir())
	b := New(Options{Dirs: dirs, Settings: settings.Defaults()})
	if err := b.Start(t.Context()); err == nil || b.State().State != status.Crashed {
		t.Fatalf("err %v state %v", err, b.State())
	}
	if Root(dirs, settings.Defaults()) != filepath.Join(dirs.Data, "comfyui") {
		t.Error("default root")
	}
}

func TestRemoteStatusHidesPassword(t *testing.T) {
	rs := settings.Defaults()
	rs.Backend, rs.RemoteURLs = settings.BackendRemote, []string{"http://me:s3cret@127.0.0.1:1"}
	b := New(Options{Dirs: appdirs.Under(t.TempDir()), Settings: rs})
	ch, cancel := b.Subscribe()
	defer cancel()
	err := b.Start(t.Context())
	if err == nil {
		t.Fatal("unreachable server accepted")
	}
	for e := range ch {
		if strings.Contains(e.Message, "s3cret") {
			t.Errorf("%v event shows the password: %q", e.State, e.Message)
		}
		if e.State == status.Crashed {
			break
		}
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}

// The backend's own refusals name a screen in the window and a settings
// key, flag or variable in the terminal; so does a failed start of a
// supervised ComfyUI (the face reaches the supervisor).
func TestMessagesAreWordedForTheFace(t *testing.T) {
	dirs := appdirs.Under(t.TempDir())
	file := settings.Store{Dir: dirs.Config}.Path()
	remote := settings.Defaults()
	remote.Backend = settings.BackendRemote // and no address
	folder := settings.Defaults()
	folder.Backend, folder.FolderPath = settings.BackendFolder, folderWithStandIn(t)
	for _, tc := range []struct {
		name   string
		set    settings.Settings
		run    func(*Backend) error
		window string
		termin []string
	}{
		{"remote without an address", remote, func(b *Backend) error { return b.Start(t.Context()) },
			"add one in Settings → ComfyUI", []string{`"remote_urls" in ` + file, "generate --backend URL", "LTX_STUDIO_COMFYUI_URL"}},
		{"install on a folder backend", folder, func(b *Backend) error { return b.Install(t.Context(), nil) },
			`switch Settings → ComfyUI to "managed"`, []string{`set "backend": "managed" in ` + file}},
		{"start before any install", settings.Defaults(), func(b *Backend) error { return b.Start(t.Context()) },
			"install it in Settings → Repair", []string{"ComfyUI is not installed yet; run `ltx-studio comfyui install`"}},
		{"repair on a remote backend", remote, func(b *Backend) error { return b.Repair(t.Context(), nil) },
			`switch Settings → ComfyUI to "managed"`, []string{`set "backend": "managed" in ` + file}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []face.Face{face.Window, face.Terminal} {
				err := tc.run(New(Options{Dirs: dirs, Settings: tc.set, Face: f}))
				if err == nil {
					t.Fatalf("face %d: no error", f)
				}
				msg := err.Error()
				if f == face.Window && !strings.Contains(msg, tc.window) {
					t.Errorf("window: %q, want %q", msg, tc.window)
				}
				if f == face.Terminal {
					if strings.Contains(msg, "Settings") {
						t.Errorf("terminal sent to a window screen: %q", msg)
					}
					for _, w := range tc.termin {
						if !strings.Contains(msg, w) {
							t.Errorf("terminal: %q, want %q", msg, w)
						}
					}
				}
			}
		})
	}
	t.Run("a folder ComfyUI missing a package is the user's to mend", func(t *testing.T) {
		for _, f := range []face.Face{face.Window, face.Terminal} {
			b := New(Options{Dirs: dirs, Settings: folder, Face: f, Supervise: func(c *supervise.Config) {
				c.Env, c.MaxRestarts = []string{"FAKECOMFY_FAIL=import"}, -1
			}})
			err := b.Start(t.Context())
			if err == nil || !strings.Contains(err.Error(), "into that ComfyUI's Python environment") ||
				strings.Contains(err.Error(), "Repair") || strings.Contains(err.Error(), "comfyui repair") {
				t.Errorf("face %d: %v", f, err)
			}
			b.Stop(t.Context())
		}
	})
}

// A repair mends the build in place, so it refuses while another app
// process runs ComfyUI (here: a pidfile naming this live test process as
// both ComfyUI and its owner), in the words of each face.
func TestRepairRefusedUnderARunningComfyUI(t *testing.T) {
	dirs := appdirs.Under(t.TempDir())
	ct, err := proc.CreateTime(t.Context(), os.Getpid())
	if err != nil {
		t.Skip("no process start time here:", err)
	}
	os.MkdirAll(filepath.Dir(PidFile(dirs)), 0o755)
	if err := proc.WritePidfile(PidFile(dirs), proc.Pidfile{PID: os.Getpid(), CreateTime: ct, Port: 1, Owner: os.Getpid(), OwnerCreate: ct}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[face.Face]string{face.Window: "close the other window", face.Terminal: "ltx-studio comfyui stop"} {
		err := New(Options{Dirs: dirs, Settings: settings.Defaults(), Face: f}).Repair(t.Context(), nil)
		if err == nil || !strings.Contains(err.Error(), "cannot be repaired under it") || !strings.Contains(err.Error(), want) {
			t.Errorf("face %d: %v", f, err)
		}
	}
}
