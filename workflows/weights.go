package workflows

import "fmt"

// Weights is the LTX-2.3 release of the distilled weights a form uses.
//
// Lightricks published 1.1 of the distilled checkpoint, the distilled LoRA
// and the 2× spatial upscaler (Lightricks/LTX-2 README, commit d887bbd1,
// 2026-04-13, "ltx-2.3-22b-distilled-1.1", "…-distilled-lora-384-1.1",
// "ltx-2.3-spatial-upscaler-x2-1.1"; ComfyUI-LTXVideo's 2.3 example workflows
// at aceeae9 load the 1.1 LoRA and upscaler). The dev checkpoint, the fp8
// checkpoints and the IC-LoRA have no 1.1: no official fp8 of the 1.1
// distilled checkpoint exists (Lightricks/LTX-2.3-fp8 lists only 1.0), so fp8
// Fast keeps ltx-2.3-22b-distilled-fp8 under both releases.
//
// Both releases stay in the registry; the settings choose (new installs 1.1,
// installs that already hold the 1.0 files keep 1.0 until the user switches),
// so nobody is sent a silent 54 GB download.
type Weights string

const (
	Weights10 Weights = "1.0"
	Weights11 Weights = "1.1"
)

// LatestWeights is what a new install uses.
const LatestWeights = Weights11

// The 1.1 files (Lightricks/LTX-2.3, see above).
const (
	fileDistilled11     = "ltx-2.3-22b-distilled-1.1.safetensors"
	fileDistilledLoRA11 = "ltx-2.3-22b-distilled-lora-384-1.1.safetensors"
	fileUpscaler11      = "ltx-2.3-spatial-upscaler-x2-1.1.safetensors"
)

// WeightsChange says, for the person choosing, what moving from 1.0 to 1.1
// changes and costs.
const WeightsChange = "LTX-2.3 1.1 replaces the distilled LoRA (7.6 GB) and the 2× spatial upscaler " +
	"with Lightricks' retrained 1.1 versions, and for bf16 the distilled checkpoint (46 GB); " +
	"the dev and fp8 checkpoints stay as they are. Lightricks recommends 1.1. " +
	"Switching downloads the new files on the next run; the 1.0 files stay until you delete them."

// ReleaseFiles are the files only one release uses (the distilled LoRA, the
// 2× upscaler, the bf16 distilled checkpoint): finding them on disk tells
// which release an install already holds.
func ReleaseFiles(w Weights) []ModelRef {
	if w.resolved() == Weights11 {
		return []ModelRef{{"checkpoints", fileDistilled11}, {"loras", fileDistilledLoRA11}, {"latent_upscale_models", fileUpscaler11}}
	}
	return []ModelRef{{"checkpoints", fileDistilled}, {"loras", fileDistilledLoRA}, {"latent_upscale_models", fileUpscaler}}
}

// Valid is true for a known release, or "" (1.0, for forms and settings
// saved before the choice existed).
func (w Weights) Valid() bool { return w == "" || w == Weights10 || w == Weights11 }

// WeightsProblem is the message for a weights release that is not Valid.
func WeightsProblem(w Weights) string {
	return fmt.Sprintf("unknown LTX-2.3 weights release %q (1.0 or 1.1)", w)
}

// resolved treats an empty Weights (forms saved before the choice existed)
// as the 1.0 files those forms were made with.
func (w Weights) resolved() Weights {
	if w == "" {
		return Weights10
	}
	return w
}

// weightsOps point the distilled LoRA and the upscaler at the release's files
// (node ids every template shares; absent nodes are skipped).
func weightsOps(w Weights) []presetOp {
	if w.resolved() != Weights11 {
		return nil
	}
	return []presetOp{
		{kind: opSet, node: "lora", input: "lora_name", value: fileDistilledLoRA11},
		{kind: opSet, node: "upmodel", input: "model_name", value: fileUpscaler11},
	}
}
