package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/tidwall/sjson"
)

// classesUsed is every class_type any mode × preset can produce.
func classesUsed(t testing.TB) []string {
	set := map[string]bool{}
	for _, m := range Modes() {
		for _, p := range Presets() {
			for _, enhance := range []bool{false, true} {
				f := sampleForm(m.ID)
				f.Preset, f.Enhance = p.ID, enhance
				if enhance && !m.SourceCamera {
					f.Camera = CameraStatic // adds the camera wording after the enhancement
				}
				var g map[string]*node
				if err := json.Unmarshal(mustBuild(t, f, BuildOptions{}).JSON, &g); err != nil {
					t.Fatal(err)
				}
				for _, n := range g {
					set[n.ClassType] = true
				}
			}
		}
	}
	return sortedIDs(set)
}

// TestEmbeddedSchemaIsFresh regenerates the trimmed schema from the recorded
// object_info.json and checks the embedded copy matches (-update rewrites it).
func TestEmbeddedSchemaIsFresh(t *testing.T) {
	_, raw := recordedSchema(t)
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	trimmed := map[string]json.RawMessage{}
	for _, c := range classesUsed(t) {
		info, ok := all[c]
		if !ok {
			t.Fatalf("class %s is not in the recorded object_info", c)
		}
		trimmed[c] = info
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(trimmed); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("schema_ltx.json", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(buf.Bytes(), embeddedSchemaJSON) {
		t.Fatal("schema_ltx.json is stale: run `go generate ./workflows`")
	}
}

func TestCustomNodePacksEmptyBecauseCoreSuffices(t *testing.T) {
	s, raw := recordedSchema(t)
	var all map[string]struct {
		Module string `json:"python_module"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, c := range classesUsed(t) {
		mod := all[c].Module
		if mod != "nodes" && !bytes.HasPrefix([]byte(mod), []byte("comfy_extras.")) {
			t.Errorf("%s comes from %s, not ComfyUI core: list its pack in CustomNodePacks", c, mod)
		}
		if _, ok := s.Nodes[c]; !ok {
			t.Errorf("%s missing", c)
		}
	}
	if len(CustomNodePacks) != 0 {
		t.Errorf("CustomNodePacks = %v, want empty", CustomNodePacks)
	}
}

func problemsOf(err error) []Problem {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return nil
}

func TestValidateFindsEachKindOfMistake(t *testing.T) {
	schema, _ := recordedSchema(t)
	base := mustBuild(t, sampleForm(I2V), BuildOptions{}).JSON
	set := func(path string, v any) []byte {
		b, err := sjson.SetBytes(base, path, v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	del := func(path string) []byte {
		b, err := sjson.DeleteBytes(base, path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rawSet := func(b []byte, path, raw string) []byte {
		out, err := sjson.SetRawBytes(b, path, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name       string
		prompt     []byte
		node, want string
	}{
		{"unknown class", set("cond.class_type", "NoSuchNodeXYZ"), "cond", "not installed"},
		{"missing required input", del("latent1.inputs.height"), "latent1", "required input is missing"},
		{"below minimum", set("latent1.inputs.width", 0), "latent1", "smaller than the minimum"},
		{"above maximum", set("create.inputs.fps", 500.0), "create", "bigger than the maximum"},
		{"int expected", set("latent1.inputs.length", 12.5), "latent1", "whole number"},
		{"wrong literal type", set("pos.inputs.text", 5), "pos", "expects text"},
		{"bool expected", set("i2v1.inputs.bypass", "no"), "i2v1", "true or false"},
		{"combo not in list", set("sampler1.inputs.sampler_name", "res_2s"), "sampler1", "not one of"},
		{"model not in list", set("ckpt.inputs.ckpt_name", "nope.safetensors"), "ckpt", "not one of"},
		{"link type mismatch", rawSet(base, "sample1.inputs.latent_image", `["cond", 0]`), "sample1", "receives CONDITIONING"},
		{"link to missing node", rawSet(base, "sample1.inputs.latent_image", `["ghost", 0]`), "sample1", "not in the prompt"},
		{"link slot out of range", rawSet(base, "sample1.inputs.latent_image", `["av1", 3]`), "sample1", "has 1 outputs"},
		{"literal for a link input", set("sample1.inputs.latent_image", "x"), "sample1", "expects a link"},
		{"unknown input", set("pos.inputs.txt", "x"), "pos", "unknown input"},
		{"dead node", rawSet(base, "orphan", `{"class_type":"EmptyImage","inputs":{"width":64,"height":64,"batch_size":1,"color":0}}`), "orphan", "not connected"},
		{"cycle", rawSet(base, "cond.inputs.positive", `["cond", 0]`), "cond", "cycle"},
		{"media path traversal", set("img.inputs.image", "../secret.png"), "img", "input folder"},
		{"no output", rawSet([]byte(`{}`), "a", `{"class_type":"EmptyImage","inputs":{"width":64,"height":64,"batch_size":1,"color":0}}`), "", "no output node"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Validate(c.prompt, schema, nil)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, p := range problemsOf(err) {
				if p.Node == c.node && bytes.Contains([]byte(p.Msg), []byte(c.want)) {
					return
				}
			}
			t.Fatalf("no problem on %q mentioning %q in: %v", c.node, c.want, err)
		})
	}
	// known() replaces the schema's file lists for model combos.
	err := Validate(base, schema, func(folder, name string) bool { return name != fileUpscaler })
	if ps := problemsOf(err); len(ps) != 1 || ps[0].Node != "upmodel" {
		t.Fatalf("known() rejection: %v", err)
	}
}

// Dynamic combos go flat with dotted keys; a nested object is refused.
func TestValidateDynamicComboDottedKeys(t *testing.T) {
	schema, _ := recordedSchema(t)
	base := mustBuild(t, sampleForm(I2V), BuildOptions{}).JSON
	good := []byte(`{"class_type":"ResizeImageMaskNode","inputs":{"input":["img",0],"resize_type":"scale dimensions",` +
		`"resize_type.width":1280,"resize_type.height":704,"resize_type.crop":"center","scale_method":"lanczos"}}`)
	withNode := func(n []byte) []byte {
		b, err := sjson.SetRawBytes(base, "resize", n)
		if err != nil {
			t.Fatal(err)
		}
		b, err = sjson.SetRawBytes(b, "imgscale.inputs.image", []byte(`["resize", 0]`))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := Validate(withNode(good), schema, nil); err != nil {
		t.Fatalf("dotted dynamic combo refused: %v", err)
	}
	nested := []byte(`{"class_type":"ResizeImageMaskNode","inputs":{"input":["img",0],"resize_type":{"resize_type":"scale dimensions","width":1280},"scale_method":"lanczos"}}`)
	if err := Validate(withNode(nested), schema, nil); err == nil {
		t.Fatal("nested dynamic combo accepted")
	}
	missing := bytes.Replace(good, []byte(`"resize_type.crop":"center",`), nil, 1)
	err := Validate(withNode(missing), schema, nil)
	if ps := problemsOf(err); len(ps) != 1 || ps[0].Input != "resize_type.crop" {
		t.Fatalf("missing dotted key: %v", err)
	}
	// The match-type output (IMAGE in, IMAGE out) must not fit a LATENT input.
	bad, _ := sjson.SetRawBytes(withNode(good), "sample1.inputs.latent_image", []byte(`["resize", 0]`))
	if err := Validate(bad, schema, nil); err == nil {
		t.Fatal("IMAGE from a match-type output accepted as LATENT")
	}
}

func TestRequiredModelsWalksReachableLoadersOnly(t *testing.T) {
	p := mustBuild(t, sampleForm(T2V), BuildOptions{})
	extra, err := sjson.SetRawBytes(p.JSON, "stray", []byte(`{"class_type":"LoraLoaderModelOnly","inputs":{"model":["ckpt",0],"lora_name":"ltx-2-19b-lora-camera-control-static.safetensors","strength_model":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := RequiredModels(extra)
	if err != nil {
		t.Fatal(err)
	}
	want := []ModelRef{
		{"checkpoints", fileDevFP8},
		{"latent_upscale_models", fileUpscaler},
		{"loras", fileDistilledLoRA},
		{"text_encoders", fileGemmaFP4},
	}
	if !equalRefs(got, want) {
		t.Fatalf("RequiredModels = %v, want %v", got, want)
	}
	if _, err := RequiredModels([]byte("nope")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func equalRefs(a, b []ModelRef) bool {
	if len(a) != len(b) {
		return false
	}
	sort.Slice(b, func(i, j int) bool { return b[i].Folder+b[i].Name < b[j].Folder+b[j].Name })
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Patch paths keep dotted input names flat, as ComfyUI wants them.
func TestEscapePathKeepsDottedInputsFlat(t *testing.T) {
	b, err := sjson.SetBytes([]byte(`{"n":{"inputs":{}}}`), escapePath("n")+".inputs."+escapePath("resize_type.width"), 640)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"n":{"inputs":{"resize_type.width":640}}}` {
		t.Fatalf("got %s", b)
	}
}
