package workflows

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGoldenGraphs keeps one built prompt per mode × preset (the sample
// form with the mode's default "Enhance prompt", fp8, 1.0 weights) in
// testdata/golden, so a change to a recipe shows up as a reviewable diff of
// the exact graph ComfyUI gets. -update rewrites them.
func TestGoldenGraphs(t *testing.T) {
	for _, m := range Modes() {
		for _, p := range Presets() {
			f := sampleForm(m.ID)
			f.Preset, f.Enhance = p.ID, EnhancesByDefault(m.ID)
			got := Export(mustBuild(t, f, BuildOptions{}))
			path := filepath.Join("testdata", "golden", string(m.ID)+"-"+string(p.ID)+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./workflows -run TestGoldenGraphs -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s changed: review the diff and rerun with -update\n%s", path, changedLeaves(t, want, got))
			}
		}
	}
}
