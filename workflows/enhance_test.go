package workflows

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tidwall/gjson"
)

// "Enhance prompt" wires TextGenerateLTX2Prompt (sampling as the official t2v
// template) between the prompt and the positive encoder, shows its text with
// PreviewAny, appends the camera wording after it, and hands it the start
// image where the mode has one. Every mode × preset validates against the
// recorded server with the enhancer on.
func TestEnhancePromptWiring(t *testing.T) {
	full, _ := recordedSchema(t)
	emb, err := EmbeddedSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modes() {
		for _, p := range Presets() {
			f := sampleForm(m.ID)
			f.Preset, f.Enhance = p.ID, true
			name := fmt.Sprintf("%s/%s", m.ID, p.ID)
			pr := mustBuild(t, f, BuildOptions{})
			for _, s := range []*Schema{full, emb} {
				if err := Validate(pr.JSON, s, nil); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			get := func(path string) gjson.Result { return gjson.GetBytes(pr.JSON, path) }
			if pr.EnhancedNode != "enhanced" || get("enhanced.class_type").String() != "PreviewAny" ||
				get("enhanced.inputs.source.0").String() != "enhance" || get("pos.inputs.text.0").String() != "enhance" {
				t.Errorf("%s: enhancer not between prompt and encoder: %s", name, pr.JSON)
			}
			if get("enhance.inputs.prompt").String() != f.Prompt || get("enhance.inputs.max_length").Int() != 256 ||
				get(`enhance.inputs.sampling_mode\.temperature`).Float() != 0.7 || get(`enhance.inputs.sampling_mode\.seed`).Int() != f.Seed {
				t.Errorf("%s: enhancer settings %s", name, get("enhance.inputs").Raw)
			}
			wantImage := map[ModeID]string{I2V: "imgscale", Lipsync: "imgscale", Keyframe: "firstscale", Style: "sscale"}[m.ID]
			if got := get("enhance.inputs.image.0").String(); got != wantImage {
				t.Errorf("%s: enhancer image from %q, want %q", name, got, wantImage)
			}
		}
	}
	// Off: no enhancer nodes and the literal prompt.
	off := mustBuild(t, sampleForm(T2V), BuildOptions{})
	if off.EnhancedNode != "" || gjson.GetBytes(off.JSON, "enhance").Exists() || gjson.GetBytes(off.JSON, "pos.inputs.text").String() == "" {
		t.Errorf("enhancer present while off: %s", off.JSON)
	}
}

// The camera sentence is appended after the enhancement (Gemma may not drop
// it); the negative wording stays where it was.
func TestEnhanceKeepsTheCameraWording(t *testing.T) {
	f := sampleForm(T2V)
	f.Enhance, f.Camera = true, CameraDollyIn
	pr := mustBuild(t, f, BuildOptions{})
	get := func(path string) gjson.Result { return gjson.GetBytes(pr.JSON, path) }
	pos, neg := cameraWords(CameraDollyIn, f.CameraStrength)
	if get("pos.inputs.text.0").String() != "promptcam" || get("promptcam.inputs.string_a.0").String() != "enhance" ||
		get("promptcam.inputs.string_b").String() != pos || get("enhanced.inputs.source.0").String() != "promptcam" {
		t.Errorf("camera wording not after the enhancement: %s", pr.JSON)
	}
	if get("neg.inputs.text").String() != f.Negative+", "+neg {
		t.Errorf("negative %q", get("neg.inputs.text").String())
	}
}

// Turning the enhancer on changes only the prompt path of the graph.
func TestEnhanceTouchesOnlyThePromptPath(t *testing.T) {
	for _, m := range Modes() {
		f := sampleForm(m.ID)
		a := mustBuild(t, f, BuildOptions{})
		f.Enhance = true
		b := mustBuild(t, f, BuildOptions{})
		var added []string
		for _, k := range changedLeaves(t, a.JSON, b.JSON) {
			if id, _ := splitLeaf(k); id != "enhance" && id != "enhanced" {
				added = append(added, k)
			}
		}
		if !reflect.DeepEqual(added, []string{"pos.text"}) {
			t.Errorf("%s: enhancing also touched %v", m.ID, added)
		}
	}
	for id, want := range map[ModeID]bool{T2V: true, I2V: true, A2V: true, Lipsync: true, Keyframe: false, Style: false} {
		if DefaultForm(id).Enhance != want {
			t.Errorf("%s: enhance by default %v, want %v", id, !want, want)
		}
	}
}

func BenchmarkBuildEnhanced(b *testing.B) {
	f := sampleForm(Lipsync)
	f.Camera, f.Enhance, f.Weights = CameraDollyIn, true, Weights11
	for b.Loop() {
		if _, err := Build(f, BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
