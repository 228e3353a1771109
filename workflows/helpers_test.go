package workflows

import (
	"encoding/json"
	"errors"
	"flag"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite schema_ltx.json from the recorded object_info.json")

// sharedComfy finds shared/comfyui by walking up from the package folder
// (CI puts a read-only shared/ beside the clone).
func sharedComfy(t testing.TB) string { t.Helper(); return recordings.ComfyUI(t) }

var (
	fullOnce   sync.Once
	fullRaw    []byte
	fullSchema *Schema
	fullErr    error
)

// recordedSchema is the FULL object_info.json of the recorded ComfyUI 0.27.0.
func recordedSchema(t testing.TB) (*Schema, []byte) {
	t.Helper()
	dir := sharedComfy(t)
	fullOnce.Do(func() {
		fullRaw, fullErr = os.ReadFile(filepath.Join(dir, "object_info.json"))
		if fullErr == nil {
			fullSchema, fullErr = LoadSchema(fullRaw)
		}
	})
	if fullErr != nil {
		t.Fatal(fullErr)
	}
	return fullSchema, fullRaw
}

// canonical is the model list of the shared contract (what the recorded
// server listed); known() answers like the models registry would.
var canonical = map[string][]string{
	"checkpoints": {fileDev, fileDistilled, fileDevFP8, fileDistilledFP8, fileDistilled11},
	"loras": {fileDistilledLoRA, fileDistilledLoRA11, fileICLoRA,
		"ltx-2-19b-lora-camera-control-dolly-in.safetensors", "ltx-2-19b-lora-camera-control-dolly-out.safetensors",
		"ltx-2-19b-lora-camera-control-dolly-left.safetensors", "ltx-2-19b-lora-camera-control-dolly-right.safetensors",
		"ltx-2-19b-lora-camera-control-jib-up.safetensors", "ltx-2-19b-lora-camera-control-jib-down.safetensors",
		"ltx-2-19b-lora-camera-control-static.safetensors"},
	"latent_upscale_models": {fileUpscaler, fileUpscaler11},
	"text_encoders":         {fileGemma, fileGemmaFP4, "ltx-2.3_text_projection_bf16.safetensors"},
	"vae":                   {"LTX23_video_vae_bf16.safetensors", "LTX23_audio_vae_bf16.safetensors", "taeltx2_3.safetensors"},
	"geometry_estimation":   {fileMoGe},
}

func known(folder, name string) bool {
	for _, n := range canonical[folder] {
		if n == name {
			return true
		}
	}
	return false
}

// sampleForm is a valid form for a mode with every media slot filled.
func sampleForm(id ModeID) Form {
	f := DefaultForm(id)
	f.Prompt = "A red fox trots through fresh snow at dawn, breath steaming."
	f.RandomSeed = false
	f.Seed = 1234
	f.Camera = CameraNone
	f.Enhance = false // the enhancer's own tests turn it on (enhance_test.go)
	m, _ := Lookup(id)
	for _, s := range m.Slots {
		ext := map[MediaKind]string{MediaImage: ".png", MediaAudio: ".wav", MediaVideo: ".mp4"}[s.Kind]
		f.Media[s.ID] = filepath.Join("/home/user/media", s.ID+ext)
	}
	return f
}

func mustBuild(t testing.TB, f Form, opt BuildOptions) *Prompt {
	t.Helper()
	p, err := Build(f, opt)
	if err != nil {
		t.Fatalf("Build(%s/%s/%s/%s): %v", f.Mode, f.Preset, f.Camera, f.Precision, err)
	}
	return p
}

// fieldsOf lists the Field of every FieldError in err (joined or not).
func fieldsOf(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(FieldError); ok {
			out = append(out, string(fe.Field))
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(e))
	}
	walk(err)
	sort.Strings(out)
	return out
}

// leaves flattens a prompt to "id.class_type" / "id.input" → JSON value.
func leaves(t testing.TB, prompt []byte) map[string]string {
	t.Helper()
	var g map[string]*node
	if err := json.Unmarshal(prompt, &g); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for id, n := range g {
		out[id+".class_type"] = n.ClassType
		for k, v := range n.Inputs {
			out[id+"."+k] = string(v)
		}
	}
	return out
}

func changedLeaves(t testing.TB, a, b []byte) []string {
	la, lb := leaves(t, a), leaves(t, b)
	var out []string
	for k, v := range la {
		if w, ok := lb[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range lb {
		if _, ok := la[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
