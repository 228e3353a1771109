package cli

import (
	"strings"
	"testing"
)

// A failed install says why once, naming the variable that sets a mirror.
func TestInstallFailureSaidOnce(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	t.Setenv("LTX_COMFYUI_GIT_URL", "http://127.0.0.1:"+strings.Split(closedPort(t), ":")[1]+"/ComfyUI.git")
	code, out, errs := runCLI(t, "comfyui", "install")
	all := out + errs
	if code == 0 || strings.Count(all, "could not download ComfyUI") != 1 || !strings.Contains(all, "LTX_COMFYUI_GIT_URL") ||
		!strings.Contains(out, "Download ComfyUI") || !strings.Contains(out, "failed") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
}
