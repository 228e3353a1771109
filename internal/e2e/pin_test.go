//go:build !e2e

package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
	"github.com/ltxstudio/ltx-studio/engine/settings"
)

// e2eBuild: this test binary was built without -tags e2e, so the install
// pin cannot come from LTX_E2E_COMFYUI_COMMIT.
const e2eBuild = false

// TestReleasePinIgnoresE2EEnv: a build without the e2e tag installs the
// real pinned commit even with LTX_E2E_COMFYUI_COMMIT set, so against the
// stand-in repository the clone step fails naming the real pin.
func TestReleasePinIgnoresE2EEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("runs git (-short skips it)")
	}
	for _, tool := range []string{"git", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	w, err := Setup(t.Context(), Options{Dir: t.TempDir(), FakeComfy: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, kv := range w.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	b := comfyui.New(comfyui.Options{Dirs: appdirs.Default(), Settings: settings.Defaults(),
		Install: func(c *install.Config) { c.DriverVersion = func(context.Context) (string, error) { return "", nil } }})
	err = b.Install(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), install.ComfyUICommit) {
		t.Fatalf("install with LTX_E2E_COMFYUI_COMMIT in a release build: err = %v, want the real pin %s refused by the stand-in repo", err, install.ComfyUICommit)
	}
}
