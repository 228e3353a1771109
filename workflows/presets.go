package workflows

import (
	"encoding/json"
	"fmt"
)

// PresetInfo is what the UI shows for a preset.
type PresetInfo struct {
	ID    Preset
	Label string
	// Model says what loads and how it is guided, in every mode.
	Model string
	// TwoStage and SingleStage say what runs in two-stage modes (t2v, i2v,
	// a2v, lipsync) and in single-stage ones (keyframe, style).
	TwoStage, SingleStage string
	// Cost is the expected cost relative to Fast, in words; CostSingle
	// replaces it for single-stage modes when it differs.
	Cost, CostSingle string
}

// Describe is the preset's steps and cost for one mode (the form shows only
// what applies to that mode).
func (p PresetInfo) Describe(m ModeID) string {
	if d, ok := styleDescribe[p.ID]; ok && m == Style {
		return d
	}
	steps, cost := p.TwoStage, p.Cost
	if mode, ok := Lookup(m); ok && !mode.TwoStage {
		steps = p.SingleStage
		if p.CostSingle != "" {
			cost = p.CostSingle
		}
	}
	return p.Model + " " + steps + " Cost: " + cost + "."
}

// Sigma schedules of the distilled recipe (Lightricks' LTX-2 distilled
// workflows and the Comfy-Org LTX-2.3 templates).
const (
	sigmasDistilled8 = "1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0"
	sigmasRefine3    = "0.909375, 0.725, 0.421875, 0.0"
	sigmasRefineBal  = "0.85, 0.725, 0.421875, 0.0"
	qualitySteps     = 20
	qualityCFG       = 4.0
)

var presetInfos = []PresetInfo{
	{ID: Fast, Label: "Fast", Model: "Distilled checkpoint, no LoRA, cfg 1.",
		TwoStage:    "8 steps at half size, 2× latent upscale, 3 refine steps.",
		SingleStage: "8 steps.",
		Cost:        "1× (baseline; the negative prompt has no effect at cfg 1)"},
	{ID: Balanced, Label: "Balanced", Model: "Dev checkpoint + distilled LoRA at 0.5, cfg 1.",
		TwoStage:    "8 steps at half size (euler ancestral CFG++), 2× upscale, 3 refine steps from σ 0.85.",
		SingleStage: "8 steps.",
		Cost:        "≈1.1× (same step count as Fast; the LoRA is merged at load)"},
	{ID: Quality, Label: "Quality", Model: "Dev checkpoint, LTXV scheduler 20 steps at cfg 4 (the negative prompt counts).",
		TwoStage:    "Then 2× upscale and 3 refine steps with the distilled LoRA at 1.0.",
		SingleStage: "The 20 cfg steps only.",
		Cost:        "≈2.5× (each cfg step runs the model twice)",
		CostSingle:  "≈5× (each cfg step runs the model twice)"},
}

// styleDescribe replaces Describe for Style transfer: the union IC-LoRA is
// run on a distilled base in every official recipe (Comfy-Org's
// video_ltx2_3_ic_lora, Lightricks' ICLoRA_Union_Control workflow and
// ltx-pipelines' ICLoraPipeline), so no Style preset samples the plain dev
// model with cfg.
var styleDescribe = map[Preset]string{
	Fast: "Distilled checkpoint + IC-LoRA, 8 steps at cfg 1; quick depth map of the source (MoGe detail 5). Cost: 1× (baseline).",
	Balanced: "Dev checkpoint + distilled LoRA at 0.5 + IC-LoRA, 8 steps at cfg 1 (Lightricks' union-control recipe); full-detail depth map. " +
		"Cost: ≈1.1× (the LoRA is merged at load).",
	Quality: "Distilled checkpoint + IC-LoRA, 8 steps at cfg 1 (the IC-LoRA's own base); full-detail depth map (MoGe detail 9). " +
		"Cost: ≈1.2× (the finer depth pass).",
}

// Presets lists the presets in UI order. The slice is a copy.
func Presets() []PresetInfo { return append([]PresetInfo(nil), presetInfos...) }

func validPreset(p Preset) bool {
	for _, i := range presetInfos {
		if i.ID == p {
			return true
		}
	}
	return false
}

// Model file names (the names the recorded server listed).
const (
	fileDevFP8        = "ltx-2.3-22b-dev-fp8.safetensors"
	fileDev           = "ltx-2.3-22b-dev.safetensors"
	fileDistilledFP8  = "ltx-2.3-22b-distilled-fp8.safetensors"
	fileDistilled     = "ltx-2.3-22b-distilled.safetensors"
	fileGemmaFP4      = "gemma_3_12B_it_fp4_mixed.safetensors"
	fileGemma         = "gemma_3_12B_it.safetensors"
	fileDistilledLoRA = "ltx-2.3-22b-distilled-lora-384.safetensors"
	fileICLoRA        = "ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors"
	fileUpscaler      = "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"
	fileMoGe          = "moge_2_vitl_normal_fp16.safetensors"
)

// CheckpointFile is the LTX-2.3 checkpoint a form's mode, preset and
// precision load. The same file feeds the model, the text projection and the
// audio VAE loaders.
func CheckpointFile(f Form) string {
	p, prec := f.Preset, f.Precision
	distilled := p == Fast || (f.Mode == Style && p == Quality)
	switch {
	case distilled && prec == BF16 && f.Weights.resolved() == Weights11:
		return fileDistilled11
	case distilled && prec == BF16:
		return fileDistilled
	case distilled:
		return fileDistilledFP8
	case prec == BF16:
		return fileDev
	default:
		return fileDevFP8
	}
}

// TextEncoderFile is the Gemma 3 12B file for a precision: the fp4-mixed
// quantization goes with the fp8 checkpoints, the full file with bf16.
func TextEncoderFile(prec Precision) string {
	if prec == BF16 {
		return fileGemma
	}
	return fileGemmaFP4
}

// opKind is one structural change a preset makes to a mode's graph.
type opKind int

const (
	opSet       opKind = iota // set a literal input (skipped where the node is absent)
	opBypass                  // drop a node, wiring its consumers to one of its link inputs
	opReplace                 // swap a node for another class with new inputs
	opLinkPoint               // point every leaf of a patch point at a link
)

type presetOp struct {
	kind  opKind
	node  string // node id, or the point name for opLinkPoint
	input string
	value any
	class string
	with  map[string]any
	to    link
}

// The preset ops use the node ids every template shares: "lora" (distilled
// LoRA), "sampler1/2", "sigmas1/2", "guider1/2", "av1" (the stage-1 AV latent).
// Ops on ids a mode does not have (stage 2 of single-stage modes) are no-ops;
// nodes an op leaves unconnected are pruned afterwards.
var presetOps = map[Preset][]presetOp{
	Fast: {
		{kind: opBypass, node: "lora", input: "model"},
		{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler"},
		{kind: opSet, node: "sigmas1", input: "sigmas", value: sigmasDistilled8},
		{kind: opSet, node: "sampler2", input: "sampler_name", value: "euler"},
		{kind: opSet, node: "sigmas2", input: "sigmas", value: sigmasRefine3},
	},
	Balanced: {
		{kind: opSet, node: "lora", input: "strength_model", value: 0.5},
		{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler_ancestral_cfg_pp"},
		{kind: opSet, node: "sigmas1", input: "sigmas", value: sigmasDistilled8},
		{kind: opSet, node: "sampler2", input: "sampler_name", value: "euler_cfg_pp"},
		{kind: opSet, node: "sigmas2", input: "sigmas", value: sigmasRefineBal},
	},
	Quality: {
		{kind: opReplace, node: "sigmas1", class: "LTXVScheduler", with: map[string]any{
			"steps": qualitySteps, "max_shift": 2.05, "base_shift": 0.95, "stretch": true, "terminal": 0.1,
			"latent": []any{"av1", 0}}},
		{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler"},
		{kind: opSet, node: "guider1", input: "cfg", value: qualityCFG},
		// Stage 1 runs the plain dev model; the distilled LoRA only refines.
		{kind: opLinkPoint, node: ptModel1, to: link{"ckpt", 0}},
		{kind: opSet, node: "lora", input: "strength_model", value: 1.0},
		{kind: opSet, node: "sampler2", input: "sampler_name", value: "euler"},
		{kind: opSet, node: "sigmas2", input: "sigmas", value: sigmasRefine3},
	},
}

// modePresetOps replace presetOps for a mode whose official recipe differs.
// Style: every preset stays on a distilled base (see styleDescribe); Fast and
// Quality run the distilled checkpoint without the distilled LoRA, and the
// presets differ in the depth map's detail ("geometry", MoGe resolution_level).
var modePresetOps = map[ModeID]map[Preset][]presetOp{
	Style: {
		Fast: {
			{kind: opBypass, node: "lora", input: "model"},
			{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler"},
			{kind: opSet, node: "sigmas1", input: "sigmas", value: sigmasDistilled8},
			{kind: opSet, node: "geometry", input: "resolution_level", value: 5},
		},
		Balanced: {
			{kind: opSet, node: "lora", input: "strength_model", value: 0.5},
			{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler_ancestral_cfg_pp"},
			{kind: opSet, node: "sigmas1", input: "sigmas", value: sigmasDistilled8},
			{kind: opSet, node: "geometry", input: "resolution_level", value: 9},
		},
		Quality: {
			{kind: opBypass, node: "lora", input: "model"},
			{kind: opSet, node: "sampler1", input: "sampler_name", value: "euler"},
			{kind: opSet, node: "sigmas1", input: "sigmas", value: sigmasDistilled8},
			{kind: opSet, node: "geometry", input: "resolution_level", value: 9},
		},
	},
}

// opsFor is the op list a mode's graph gets for a preset.
func opsFor(m ModeID, p Preset) []presetOp {
	if ops, ok := modePresetOps[m][p]; ok {
		return ops
	}
	return presetOps[p]
}

// usesCFG says whether a preset samples with cfg > 1 in a mode (each step
// then runs the model twice).
func usesCFG(m ModeID, p Preset) bool {
	return p == Quality && modePresetOps[m] == nil
}

// PresetSteps is the number of sampling steps per stage (stage2 is 0 for
// single-stage modes).
func PresetSteps(m ModeID, p Preset) (stage1, stage2 int) {
	stage1 = 8
	if usesCFG(m, p) {
		stage1 = qualitySteps
	}
	if mode, ok := Lookup(m); ok && mode.TwoStage {
		stage2 = 3
	}
	return stage1, stage2
}

// applyOps reshapes g for a preset.
func applyOps(g map[string]*node, t *template, ops []presetOp) error {
	for _, o := range ops {
		switch o.kind {
		case opSet:
			n, ok := g[o.node]
			if !ok {
				continue
			}
			b, err := json.Marshal(o.value)
			if err != nil {
				return err
			}
			n.Inputs[o.input] = b
		case opBypass:
			n, ok := g[o.node]
			if !ok {
				continue
			}
			src, ok := parseLink(n.Inputs[o.input])
			if !ok {
				return fmt.Errorf("workflows: cannot bypass %q: input %q is not a link", o.node, o.input)
			}
			delete(g, o.node)
			for _, other := range g {
				for name, raw := range other.Inputs {
					if l, ok := parseLink(raw); ok && l.Node == o.node {
						other.Inputs[name] = src.raw()
					}
				}
			}
		case opReplace:
			if _, ok := g[o.node]; !ok {
				continue
			}
			in := map[string]json.RawMessage{}
			for k, v := range o.with {
				b, err := json.Marshal(v)
				if err != nil {
					return err
				}
				in[k] = b
			}
			g[o.node] = &node{ClassType: o.class, Inputs: in}
		case opLinkPoint:
			for _, leaf := range t.Points[o.node] {
				id, input := splitLeaf(leaf)
				if n, ok := g[id]; ok {
					n.Inputs[input] = o.to.raw()
				}
			}
		}
	}
	return nil
}
