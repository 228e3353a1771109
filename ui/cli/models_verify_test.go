package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/models/hftest"
)

// A bit flipped in a downloaded blob: verify names it and fails, repair
// downloads it again, and verify is then clean.
func TestModelsVerifyAndRepair(t *testing.T) {
	const commit = "0123456789abcdef0123456789abcdef01234567"
	file := hftest.File{Data: bytes.Repeat([]byte("tae"), 300_000), LFS: true}
	srv := hftest.New(map[string]hftest.Repo{
		"Comfy-Org/MoGe": {Commit: commit, Files: map[string]hftest.File{"geometry_estimation/moge_2_vitl_normal_fp16.safetensors": file}},
	})
	defer srv.Close()
	dir := t.TempDir()
	t.Setenv("HF_HUB_CACHE", dir+"/hub")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_ENDPOINT", srv.URL())
	t.Setenv("HF_TOKEN", "")
	t.Setenv("LTX_STUDIO_HOME", dir)
	run := func(sub string) (int, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), Env{Stdout: &out, Stderr: &errb},
			[]string{"models", sub, "--file", "geometry_estimation/moge_2_vitl_normal_fp16.safetensors", "--comfyui", dir + "/ComfyUI"})
		return code, out.String() + errb.String()
	}
	if code, out := run("pull"); code != 0 {
		t.Fatalf("pull: %s", out)
	}
	if code, out := run("verify"); code != 0 || !strings.Contains(out, "1 verified, 0 damaged") {
		t.Fatalf("verify of a good file (exit %d):\n%s", code, out)
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "hub", "models--Comfy-Org--MoGe", "blobs", "*"))
	if len(blobs) != 1 {
		t.Fatalf("blobs %v", blobs)
	}
	b, _ := os.ReadFile(blobs[0])
	b[len(b)/2] ^= 1
	os.WriteFile(blobs[0], b, 0o644)

	if code, out := run("status"); code != 0 || !strings.Contains(out, "present") {
		t.Errorf("status cannot see a same-size flip; it should still list the file (exit %d):\n%s", code, out)
	}
	code, out := run("verify")
	if code == 0 || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, "models repair") || !strings.Contains(out, "hashing") {
		t.Fatalf("verify of a flipped file (exit %d):\n%s", code, out)
	}
	srv.Reset()
	if code, out := run("repair"); code != 0 || !strings.Contains(out, "fetched again") || !strings.Contains(out, "Repaired") {
		t.Fatalf("repair (exit %d):\n%s", code, out)
	}
	if srv.Served() != int64(len(file.Data)) {
		t.Errorf("repair fetched %d bytes", srv.Served())
	}
	if code, out := run("verify"); code != 0 || !strings.Contains(out, "1 verified, 0 damaged") {
		t.Fatalf("verify after repair (exit %d):\n%s", code, out)
	}
}
