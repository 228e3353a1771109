package comfyui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/supervise"
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
