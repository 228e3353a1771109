package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// Every mode × preset × camera × precision builds a prompt that the recorded
// ComfyUI 0.27.0 schema, the embedded schema and the model registry accept,
// with fps, frames and sizes consistent.
func TestBuildMatrixValidatesAgainstRecordedServer(t *testing.T) {
	full, _ := recordedSchema(t)
	emb, err := EmbeddedSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modes() {
		for _, p := range Presets() {
			for _, c := range Cameras() {
				for _, prec := range []Precision{FP8, BF16} {
					if m.SourceCamera && c.ID != CameraNone && c.ID != CameraAuto {
						continue // refused: see TestStyleKeepsTheSourceCamera
					}
					f := sampleForm(m.ID)
					f.Preset, f.Camera, f.Precision = p.ID, c.ID, prec
					if c.ID == CameraAuto {
						f.Prompt += " Slow push in on its face."
					}
					name := fmt.Sprintf("%s/%s/%s/%s", m.ID, p.ID, c.ID, prec)
					pr, err := Build(f, BuildOptions{})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if err := Validate(pr.JSON, full, nil); err != nil {
						t.Fatalf("%s vs recorded object_info: %v", name, err)
					}
					if err := Validate(pr.JSON, emb, known); err != nil {
						t.Fatalf("%s vs embedded schema + registry: %v", name, err)
					}
					checkShape(t, name, m, f, pr)
				}
			}
		}
	}
}

func checkShape(t *testing.T, name string, m Mode, f Form, pr *Prompt) {
	t.Helper()
	var g map[string]*node
	if err := json.Unmarshal(pr.JSON, &g); err != nil {
		t.Fatal(err)
	}
	if (pr.Frames-1)%8 != 0 || pr.Frames != Frames(f.Seconds, f.FPS) {
		t.Errorf("%s: frames %d break the 8n+1 rule", name, pr.Frames)
	}
	fpsSeen := 0
	total := 0.0
	for id, n := range g {
		st, ok := pr.Stages[id]
		if !ok {
			t.Errorf("%s: node %s has no stage", name, id)
		}
		total += st.Weight
		for in, raw := range n.Inputs {
			num := gjson.ParseBytes(raw)
			switch {
			case in == "frame_rate" || (n.ClassType == "CreateVideo" && in == "fps"):
				fpsSeen++
				if num.Float() != float64(f.FPS) {
					t.Errorf("%s: %s.%s = %s, want %d", name, id, in, raw, f.FPS)
				}
			case n.ClassType == "EmptyLTXVLatentVideo" && (in == "width" || in == "height"):
				if num.Int()%32 != 0 {
					t.Errorf("%s: latent %s %d is not a multiple of 32", name, in, num.Int())
				}
			case in == "length" || in == "frames_number":
				if int(num.Int()) != pr.Frames {
					t.Errorf("%s: %s.%s = %s, want %d", name, id, in, raw, pr.Frames)
				}
			}
		}
	}
	if fpsSeen < 2 {
		t.Errorf("%s: fps written to only %d inputs", name, fpsSeen)
	}
	if math.Abs(total-1) > 1e-9 {
		t.Errorf("%s: stage weights add up to %v", name, total)
	}
	if g[pr.OutputNode] == nil || g[pr.OutputNode].ClassType != "SaveVideo" {
		t.Errorf("%s: output node %q is not SaveVideo", name, pr.OutputNode)
	}
	for _, r := range pr.Models {
		if strings.Contains(r.Name, "camera-control") {
			t.Errorf("%s: ships camera LoRA %s, which does not apply to LTX-2.3", name, r.Name)
		}
		if !known(r.Folder, r.Name) {
			t.Errorf("%s: model %v not in the contract", name, r)
		}
	}
	if !slices.Contains(pr.Models, ModelRef{"checkpoints", CheckpointFile(f)}) {
		t.Errorf("%s: models %v lack the checkpoint", name, pr.Models)
	}
}

// Presets make different graphs: different checkpoints, samplers, schedules
// and, for Quality, cfg > 1 so the negative prompt counts.
func TestPresetsProduceDifferentGraphs(t *testing.T) {
	for _, m := range Modes() {
		built := map[Preset]*Prompt{}
		for _, p := range Presets() {
			f := sampleForm(m.ID)
			f.Preset = p.ID
			built[p.ID] = mustBuild(t, f, BuildOptions{})
		}
		fast, bal, qual := built[Fast], built[Balanced], built[Quality]
		if bytes.Equal(fast.JSON, bal.JSON) || bytes.Equal(bal.JSON, qual.JSON) || bytes.Equal(fast.JSON, qual.JSON) {
			t.Fatalf("%s: presets share a graph", m.ID)
		}
		get := func(p *Prompt, path string) gjson.Result { return gjson.GetBytes(p.JSON, path) }
		if get(fast, "ckpt.inputs.ckpt_name").String() != fileDistilledFP8 || get(fast, "lora").Exists() {
			t.Errorf("%s fast: want the distilled checkpoint and no LoRA", m.ID)
		}
		if get(bal, "ckpt.inputs.ckpt_name").String() != fileDevFP8 || get(bal, "lora.inputs.strength_model").Float() != 0.5 {
			t.Errorf("%s balanced: want dev + distilled LoRA 0.5", m.ID)
		}
		if m.ID == Style {
			// Every official IC-LoRA recipe runs on a distilled base.
			if get(qual, "ckpt.inputs.ckpt_name").String() != fileDistilledFP8 || get(qual, "lora").Exists() ||
				get(qual, "guider1.inputs.cfg").Float() != 1 || get(qual, "geometry.inputs.resolution_level").Int() != 9 ||
				get(fast, "geometry.inputs.resolution_level").Int() != 5 {
				t.Errorf("style quality: want the distilled checkpoint at cfg 1 with full-detail depth")
			}
			continue
		}
		if get(qual, "sigmas1.class_type").String() != "LTXVScheduler" || get(qual, "sigmas1.inputs.steps").Int() != qualitySteps ||
			get(qual, "guider1.inputs.cfg").Float() <= 1 {
			t.Errorf("%s quality: want LTXVScheduler %d steps at cfg > 1", m.ID, qualitySteps)
		}
		// Quality stage 1 samples the plain dev model.
		if model1 := get(qual, "guider1.inputs.model.0").String(); model1 != "ckpt" {
			t.Errorf("%s quality: stage 1 model comes from %q", m.ID, model1)
		}
		if m.TwoStage != get(qual, "lora").Exists() {
			t.Errorf("%s quality: distilled LoRA present=%v, want only for the two-stage refine", m.ID, get(qual, "lora").Exists())
		}
	}
}

// Each form field changes exactly the inputs it should (golden diffs).
func TestEveryControlMovesExactlyItsInputs(t *testing.T) {
	type change struct {
		field string
		edit  func(*Form, *BuildOptions)
	}
	changes := []change{
		{"prompt", func(f *Form, _ *BuildOptions) { f.Prompt = "A grey wolf howls at the moon." }},
		{"negative", func(f *Form, _ *BuildOptions) { f.Negative = "cartoon, ugly" }},
		{"width", func(f *Form, _ *BuildOptions) { f.Width = 1408 }},
		{"height", func(f *Form, _ *BuildOptions) { f.Height = 768 }},
		{"seconds", func(f *Form, _ *BuildOptions) { f.Seconds = 6 }},
		{"fps", func(f *Form, _ *BuildOptions) { f.FPS = 26 }}, // 5 s at 26 fps is 129 frames, as at 25
		{"seed", func(f *Form, _ *BuildOptions) { f.Seed = 99 }},
		{"camera", func(f *Form, _ *BuildOptions) { f.Camera = CameraDollyIn }},
		{"precision", func(f *Form, _ *BuildOptions) { f.Precision = BF16 }},
		{"prefix", func(_ *Form, o *BuildOptions) { o.FilenamePrefix = "elsewhere/clip" }},
	}
	// Expected leaves per mode. Written out by hand (not derived from the
	// templates' patch points) so a wrong point list fails here.
	common := map[string][]string{
		"prompt":    {"pos.text"},
		"negative":  {"neg.text"},
		"seed":      {"noise1.noise_seed", "noise2.noise_seed"},
		"camera":    {"neg.text", "pos.text"},
		"precision": {"avae.ckpt_name", "ckpt.ckpt_name", "te.ckpt_name", "te.text_encoder"},
		"prefix":    {"save.filename_prefix"},
		"width":     {"latent1.width"},
		"height":    {"latent1.height"},
		"seconds":   {"alat.frames_number", "latent1.length"},
		"fps":       {"alat.frame_rate", "cond.frame_rate", "create.fps"},
	}
	want := map[ModeID]map[string][]string{
		T2V: {},
		I2V: {"width": {"imgscale.width", "latent1.width"}, "height": {"imgscale.height", "latent1.height"}},
		A2V: {"seconds": {"atrim.duration", "latent1.length"}, "fps": {"atrim.duration", "cond.frame_rate", "create.fps"}},
		Lipsync: {"width": {"imgscale.width", "latent1.width"}, "height": {"imgscale.height", "latent1.height"},
			"seconds": {"atrim.duration", "latent1.length"}, "fps": {"atrim.duration", "cond.frame_rate", "create.fps"}},
		Keyframe: {"seed": {"noise1.noise_seed"},
			"width":  {"firstscale.width", "lastscale.width", "latent1.width"},
			"height": {"firstscale.height", "lastscale.height", "latent1.height"}},
		Style: {"seed": {"noise1.noise_seed"},
			"width":   {"latent1.width", "sscale.width", "vscale.width"},
			"height":  {"latent1.height", "sscale.height", "vscale.height"},
			"seconds": {"alat.frames_number", "latent1.length", "vframes.length", "vslice.duration"},
			"fps":     {"alat.frame_rate", "cond.frame_rate", "create.fps", "vslice.duration"},
			"camera":  {}},
	}
	for _, m := range Modes() {
		base := sampleForm(m.ID)
		b0 := mustBuild(t, base, BuildOptions{})
		for _, c := range changes {
			if m.SourceCamera && c.field == "camera" {
				continue // refused by Validate (TestStyleKeepsTheSourceCamera)
			}
			f := sampleForm(m.ID)
			var opt BuildOptions
			c.edit(&f, &opt)
			b1 := mustBuild(t, f, opt)
			exp := want[m.ID][c.field]
			if exp == nil {
				exp = common[c.field]
			}
			if got := changedLeaves(t, b0.JSON, b1.JSON); !reflect.DeepEqual(got, exp) {
				t.Errorf("%s: changing %s touched %v, want %v", m.ID, c.field, got, exp)
			}
		}
		// Media: each slot lands in its loader and nowhere else.
		for _, s := range m.Slots {
			f := sampleForm(m.ID)
			f.Media[s.ID] = "/other/place/new-" + s.ID + ".bin"
			got := changedLeaves(t, b0.JSON, mustBuild(t, f, BuildOptions{}).JSON)
			if len(got) != 1 {
				t.Errorf("%s: media.%s touched %v, want one loader input", m.ID, s.ID, got)
			}
			// The job layer's content-hash name wins over the local path.
			p := mustBuild(t, sampleForm(m.ID), BuildOptions{MediaNames: map[string]string{s.ID: "abc123.dat"}})
			if !bytes.Contains(p.JSON, []byte(`"abc123.dat"`)) {
				t.Errorf("%s: MediaNames[%s] not used", m.ID, s.ID)
			}
		}
		if m.SourceCamera {
			continue
		}
		// Camera strength changes the wording (and drops the negative half when low).
		f := sampleForm(m.ID)
		f.Camera = CameraJibUp
		strong := mustBuild(t, f, BuildOptions{})
		f.CameraStrength = 0.3
		gentle := mustBuild(t, f, BuildOptions{})
		if got := changedLeaves(t, strong.JSON, gentle.JSON); !reflect.DeepEqual(got, []string{"neg.text", "pos.text"}) {
			t.Errorf("%s: camera strength touched %v", m.ID, got)
		}
		f.CameraStrength = 0
		if !bytes.Equal(mustBuild(t, f, BuildOptions{}).JSON, b0.JSON) {
			t.Errorf("%s: camera strength 0 should leave the prompt as with camera none", m.ID)
		}
	}
}

func TestCameraAutoReadsThePrompt(t *testing.T) {
	cases := map[string]Camera{
		"A slow dolly in on a lighthouse":                 CameraDollyIn,
		"Static shot of a kitchen, then the camera rises": CameraStatic,
		"The camera cranes up over the city":              CameraJibUp,
		"Drone pulls back to reveal the valley":           CameraDollyOut,
		"A cat sleeps":                                    CameraNone,
		"TRUCK LEFT past the cars":                        CameraDollyL,
	}
	for prompt, want := range cases {
		if got := ResolveCamera(CameraAuto, prompt); got != want {
			t.Errorf("ResolveCamera(auto, %q) = %s, want %s", prompt, got, want)
		}
	}
	if ResolveCamera(CameraJibDown, "dolly in") != CameraJibDown {
		t.Error("explicit choice overridden")
	}
	f := sampleForm(T2V)
	f.Camera = CameraAuto
	f.Prompt = "A slow dolly in on a lighthouse at night."
	p := mustBuild(t, f, BuildOptions{})
	if p.Camera != CameraDollyIn || !strings.Contains(gjson.GetBytes(p.JSON, "pos.inputs.text").String(), cameraTexts[CameraDollyIn].normal) {
		t.Errorf("auto camera not applied: %s / %s", p.Camera, gjson.GetBytes(p.JSON, "pos.inputs.text"))
	}
}

func TestInvalidFormsAreRefusedNamingTheField(t *testing.T) {
	cases := []struct {
		name  string
		mode  ModeID
		edit  func(*Form, *BuildOptions)
		field string
	}{
		{"width not x64 for two-stage", T2V, func(f *Form, _ *BuildOptions) { f.Width = 1280 + 32 }, "width"},
		{"height not x32", Keyframe, func(f *Form, _ *BuildOptions) { f.Height = 700 }, "height"},
		{"width too small", Style, func(f *Form, _ *BuildOptions) { f.Width = 64 }, "width"},
		{"missing media", I2V, func(f *Form, _ *BuildOptions) { delete(f.Media, "image") }, "media.image"},
		{"missing second media", Lipsync, func(f *Form, _ *BuildOptions) { f.Media["speech"] = " " }, "media.speech"},
		{"media for another mode", T2V, func(f *Form, _ *BuildOptions) { f.Media["audio"] = "/a.wav" }, "media.audio"},
		{"unsafe upload name", I2V, func(_ *Form, o *BuildOptions) { o.MediaNames = map[string]string{"image": "../../etc/passwd"} }, "media.image"},
		{"fps zero", T2V, func(f *Form, _ *BuildOptions) { f.FPS = 0 }, "fps"},
		{"fps too high", A2V, func(f *Form, _ *BuildOptions) { f.FPS = 240 }, "fps"},
		{"negative seed", T2V, func(f *Form, _ *BuildOptions) { f.Seed = -5 }, "seed"},
		{"empty prompt", T2V, func(f *Form, _ *BuildOptions) { f.Prompt = "  " }, "prompt"},
		{"zero seconds", T2V, func(f *Form, _ *BuildOptions) { f.Seconds = 0 }, "seconds"},
		{"NaN seconds", T2V, func(f *Form, _ *BuildOptions) { f.Seconds = math.NaN() }, "seconds"},
		{"too many frames", T2V, func(f *Form, _ *BuildOptions) { f.Seconds, f.FPS = 19, 60 }, "seconds"},
		{"unknown preset", T2V, func(f *Form, _ *BuildOptions) { f.Preset = "turbo" }, "preset"},
		{"unknown camera", T2V, func(f *Form, _ *BuildOptions) { f.Camera = "orbit" }, "camera"},
		{"camera strength", T2V, func(f *Form, _ *BuildOptions) { f.CameraStrength = 3 }, "camera_strength"},
		{"precision", T2V, func(f *Form, _ *BuildOptions) { f.Precision = "int4" }, "precision"},
		{"mode", "v2v", func(*Form, *BuildOptions) {}, "mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := sampleForm(c.mode)
			if c.mode == "v2v" {
				f = sampleForm(T2V)
				f.Mode = "v2v"
			}
			var opt BuildOptions
			c.edit(&f, &opt)
			p, err := Build(f, opt)
			if err == nil || p != nil {
				t.Fatal("accepted")
			}
			if got := fieldsOf(err); !reflect.DeepEqual(got, []string{c.field}) {
				t.Fatalf("fields %v, want [%s] (%v)", got, c.field, err)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Fatalf("message %q does not name %s", err, c.field)
			}
		})
	}
	// Several mistakes come back together.
	f := sampleForm(I2V)
	f.Width, f.FPS, f.Seed = 1000, 0, -1
	delete(f.Media, "image")
	_, err := Build(f, BuildOptions{})
	if got := fieldsOf(err); !reflect.DeepEqual(got, []string{"fps", "media.image", "seed", "width"}) {
		t.Fatalf("joined fields = %v (%v)", got, err)
	}
	if len(DefaultForm(T2V).Validate()) != 1 { // only the prompt is missing
		t.Fatalf("default form: %v", DefaultForm(T2V).Validate())
	}
}

func TestBuildNeverMutatesTemplates(t *testing.T) {
	ts, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	before := map[ModeID]string{}
	for id, tm := range ts {
		before[id] = string(tm.Prompt)
	}
	for _, m := range Modes() {
		for _, p := range Presets() {
			f := sampleForm(m.ID)
			f.Preset, f.Camera = p.ID, CameraStatic
			if m.SourceCamera {
				f.Camera = CameraNone
			}
			mustBuild(t, f, BuildOptions{})
		}
	}
	for id, tm := range ts {
		raw, _ := graphFS.ReadFile("graphs/" + string(id) + ".json")
		if string(tm.Prompt) != before[id] || !bytes.Contains(raw, []byte(`"text": ""`)) {
			t.Errorf("template %s changed", id)
		}
	}
	// Two builds from the same form are identical (deterministic output).
	a := mustBuild(t, sampleForm(Style), BuildOptions{})
	b := mustBuild(t, sampleForm(Style), BuildOptions{})
	if !bytes.Equal(a.JSON, b.JSON) {
		t.Error("Build is not deterministic")
	}
}

func TestTemplatePointsResolve(t *testing.T) {
	ts, err := loadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for id, tm := range ts {
		g, err := tm.decodeGraph()
		if err != nil {
			t.Fatal(err)
		}
		for point, list := range tm.Points {
			for _, leaf := range list {
				nid, input := splitLeaf(leaf)
				n, ok := g[nid]
				if !ok {
					t.Errorf("%s: point %s names missing node %s", id, point, nid)
					continue
				}
				if _, ok := n.Inputs[input]; !ok {
					t.Errorf("%s: point %s names missing input %s", id, point, leaf)
				}
			}
		}
		m, _ := Lookup(id)
		for _, s := range m.Slots {
			if len(tm.Points[ptMediaPrefix+s.ID]) != 1 {
				t.Errorf("%s: slot %s has no loader", id, s.ID)
			}
		}
	}
}

func TestExportIsAcceptedAsIs(t *testing.T) {
	schema, _ := recordedSchema(t)
	p := mustBuild(t, sampleForm(Lipsync), BuildOptions{})
	out := Export(p)
	if !bytes.HasPrefix(out, []byte("{\n  \"")) {
		t.Fatalf("not indented: %.40s", out)
	}
	var a, b any
	if json.Unmarshal(out, &a) != nil || json.Unmarshal(p.JSON, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatal("export differs from the prompt")
	}
	if err := Validate(out, schema, nil); err != nil {
		t.Fatal(err)
	}
	// The body POST /prompt takes wraps it as "prompt".
	body, _ := json.Marshal(map[string]json.RawMessage{"prompt": out})
	if !gjson.GetBytes(body, "prompt.save.inputs.video").IsArray() {
		t.Fatal("export cannot be posted as the prompt field")
	}
}

func TestResolveSeed(t *testing.T) {
	f := DefaultForm(T2V)
	f.Prompt = "x"
	r := rand.New(rand.NewPCG(1, 2))
	g := ResolveSeed(f, r)
	if g.RandomSeed || g.Seed < 0 {
		t.Fatalf("seed %d random=%v", g.Seed, g.RandomSeed)
	}
	if p := mustBuild(t, g, BuildOptions{}); p.Seed != g.Seed || gjson.GetBytes(p.JSON, "noise1.inputs.noise_seed").Int() != g.Seed {
		t.Fatal("resolved seed not in the graph")
	}
	fixed := sampleForm(T2V)
	if ResolveSeed(fixed, r).Seed != fixed.Seed {
		t.Fatal("fixed seed changed")
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("t2v", "a fox", "", 1280, 704, 5.0, 25, int64(1), "balanced", "auto", 1.0, "fp8", "img.png")
	f.Add("style", "dolly in", "bad", 640, 352, 2.5, 30, int64(0), "quality", "jib_up", 1.5, "bf16", "x")
	f.Add("keyframe", "", "n", 999, -4, -1.0, 0, int64(-7), "fast", "none", -1.0, "fp4", "../a")
	emb, err := EmbeddedSchema()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mode, prompt, neg string, w, h int, secs float64, fps int, seed int64,
		preset, cam string, strength float64, prec, media string) {
		form := Form{Mode: ModeID(mode), Prompt: prompt, Negative: neg, Width: w, Height: h, Seconds: secs, FPS: fps,
			Seed: seed, Preset: Preset(preset), Camera: Camera(cam), CameraStrength: strength, Precision: Precision(prec),
			Media: map[string]string{}}
		if m, ok := Lookup(form.Mode); ok {
			for _, s := range m.Slots {
				form.Media[s.ID] = media
			}
		}
		p, err := Build(form, BuildOptions{})
		if err != nil {
			if p != nil {
				t.Fatal("prompt with error")
			}
			if len(fieldsOf(err)) == 0 && !strings.Contains(err.Error(), "workflows:") {
				t.Fatalf("unexplained error %v", err)
			}
			return
		}
		if err := Validate(p.JSON, emb, known); err != nil {
			t.Fatalf("built prompt invalid: %v", err)
		}
	})
}

func BenchmarkBuild(b *testing.B) {
	f := sampleForm(Lipsync)
	f.Camera = CameraDollyIn
	for b.Loop() {
		if _, err := Build(f, BuildOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateEmbedded(b *testing.B) {
	s, err := EmbeddedSchema()
	if err != nil {
		b.Fatal(err)
	}
	p := mustBuild(b, sampleForm(Style), BuildOptions{})
	for b.Loop() {
		if err := Validate(p.JSON, s, known); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPromptCheck(t *testing.T) {
	p := mustBuild(t, sampleForm(Keyframe), BuildOptions{})
	if err := p.Check(known); err != nil {
		t.Fatal(err)
	}
	if err := p.Check(func(string, string) bool { return false }); err == nil {
		t.Fatal("missing models not reported")
	}
}

// The form shows only the steps that apply to the mode.
func TestPresetDescribeFitsTheMode(t *testing.T) {
	for _, m := range Modes() {
		for _, p := range Presets() {
			d := p.Describe(m.ID)
			if m.ID == Style {
				if !strings.Contains(d, "IC-LoRA") || !strings.Contains(d, "cfg 1") || !strings.Contains(d, "Cost: ") {
					t.Errorf("style/%s: %q", p.ID, d)
				}
				continue
			}
			if !strings.Contains(d, p.Model) || !strings.Contains(d, "Cost: ") {
				t.Errorf("%s/%s: %q lacks the model or the cost", m.ID, p.ID, d)
			}
			if strings.Contains(d, "upscale") != m.TwoStage {
				t.Errorf("%s/%s (two-stage %v): %q", m.ID, p.ID, m.TwoStage, d)
			}
		}
	}
}

// A missing file is named once: "the start image", not "the start image (image)".
func TestMissingMediaWording(t *testing.T) {
	want := map[Field]string{
		"media.image":    "choose the start image",
		"media.portrait": "choose the portrait (image)",
		"media.speech":   "choose the speech (audio)",
		"media.video":    "choose the source video",
	}
	seen := 0
	for _, id := range []ModeID{I2V, Lipsync, Style} {
		f := DefaultForm(id)
		f.Prompt = "x"
		for _, e := range f.Validate() {
			if w, ok := want[e.Field]; ok {
				seen++
				if e.Msg != w {
					t.Errorf("%s %s: %q, want %q", id, e.Field, e.Msg, w)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d of %d missing-media errors reported", seen, len(want))
	}
}
