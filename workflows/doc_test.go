package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

const (
	docBegin = "<!-- BEGIN GENERATED TABLE (go test -run TestReadmeTableIsFresh -update) -->\n"
	docEnd   = "<!-- END GENERATED TABLE -->\n"
)

// docTable describes every mode × preset: nodes, steps and model files.
func docTable(t testing.TB) string {
	var b strings.Builder
	b.WriteString("| Mode | Preset | Steps | Nodes (class × count) | Model files (fp8 build; bf16 swaps in `ltx-2.3-22b-dev`/`-distilled` and `gemma_3_12B_it`) |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, m := range Modes() {
		for _, p := range Presets() {
			f := sampleForm(m.ID)
			f.Preset = p.ID
			pr := mustBuild(t, f, BuildOptions{})
			var g map[string]*node
			if err := json.Unmarshal(pr.JSON, &g); err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, n := range g {
				count[n.ClassType]++
			}
			var nodes []string
			for _, c := range sortedIDs(count) {
				if count[c] > 1 {
					nodes = append(nodes, fmt.Sprintf("%s ×%d", c, count[c]))
				} else {
					nodes = append(nodes, c)
				}
			}
			s1, s2 := PresetSteps(m.ID, p.ID)
			steps := fmt.Sprintf("%d", s1)
			if s2 > 0 {
				steps = fmt.Sprintf("%d + 2× upscale + %d", s1, s2)
			}
			var files []string
			for _, r := range pr.Models {
				files = append(files, r.Folder+"/"+r.Name)
			}
			sort.Strings(files)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", m.ID, p.Label, steps, strings.Join(nodes, ", "), strings.Join(files, "<br>"))
		}
	}
	return b.String()
}

func TestReadmeTableIsFresh(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(raw, []byte(docBegin)), bytes.Index(raw, []byte(docEnd))
	if i < 0 || j < i {
		t.Fatal("README.md lacks the generated-table markers")
	}
	fresh := append(append(append([]byte{}, raw[:i+len(docBegin)]...), docTable(t)...), raw[j:]...)
	if *update {
		if err := os.WriteFile("README.md", fresh, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(raw, fresh) {
		t.Fatal("README.md table is stale: go test ./workflows -run TestReadmeTableIsFresh -update")
	}
}
