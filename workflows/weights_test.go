package workflows

import (
	"fmt"
	"testing"

	"github.com/tidwall/gjson"
)

// 1.1 swaps exactly the distilled LoRA, the upscaler and the bf16 distilled
// checkpoint; "" and 1.0 build the same graph (forms saved before the choice).
func TestWeightsPickTheRelease(t *testing.T) {
	emb, err := EmbeddedSchema()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modes() {
		for _, p := range Presets() {
			for _, prec := range []Precision{FP8, BF16} {
				name := fmt.Sprintf("%s/%s/%s", m.ID, p.ID, prec)
				f := sampleForm(m.ID)
				f.Preset, f.Precision = p.ID, prec
				old := mustBuild(t, f, BuildOptions{})
				f.Weights = Weights10
				if string(mustBuild(t, f, BuildOptions{}).JSON) != string(old.JSON) {
					t.Errorf("%s: 1.0 differs from an empty Weights", name)
				}
				f.Weights = Weights11
				pr := mustBuild(t, f, BuildOptions{})
				if err := Validate(pr.JSON, emb, known); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, leaf := range changedLeaves(t, old.JSON, pr.JSON) {
					switch leaf {
					case "lora.lora_name", "upmodel.model_name", "ckpt.ckpt_name", "te.ckpt_name", "avae.ckpt_name":
					default:
						t.Errorf("%s: 1.1 touched %s", name, leaf)
					}
				}
				get := func(path string) string { return gjson.GetBytes(pr.JSON, path).String() }
				if l := get("lora.inputs.lora_name"); l != "" && l != fileDistilledLoRA11 {
					t.Errorf("%s: LoRA %s", name, l)
				}
				if u := get("upmodel.inputs.model_name"); u != "" && u != fileUpscaler11 {
					t.Errorf("%s: upscaler %s", name, u)
				}
				want := map[string]string{fileDistilled: fileDistilled11}[CheckpointFile(Form{Mode: m.ID, Preset: p.ID, Precision: prec})]
				if want == "" {
					want = get("ckpt.inputs.ckpt_name") // dev and fp8 checkpoints have no 1.1
					if want != gjson.GetBytes(old.JSON, "ckpt.inputs.ckpt_name").String() {
						t.Errorf("%s: checkpoint changed to %s", name, want)
					}
				}
				if get("ckpt.inputs.ckpt_name") != want {
					t.Errorf("%s: checkpoint %s, want %s", name, get("ckpt.inputs.ckpt_name"), want)
				}
			}
		}
	}
	f := sampleForm(T2V)
	f.Weights = "2.0"
	if _, err := Build(f, BuildOptions{}); err == nil {
		t.Error("unknown weights release accepted")
	}
}
