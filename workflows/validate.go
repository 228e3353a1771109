package workflows

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Problem is one thing wrong with a prompt, located like ComfyUI's node_errors.
type Problem struct {
	Node  string
	Class string
	Input string
	Msg   string
}

func (p Problem) String() string {
	where := "node " + p.Node
	if p.Class != "" {
		where += " (" + p.Class + ")"
	}
	if p.Input != "" {
		where += " input " + p.Input
	}
	return where + ": " + p.Msg
}

// ValidationError lists every problem found in a prompt.
type ValidationError struct{ Problems []Problem }

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "workflow does not match the ComfyUI node schemas (%d problem(s)): ", len(e.Problems))
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// modelInputs maps the model-file combos of loader nodes to their ComfyUI
// models sub-folder; these are checked against the models registry.
var modelInputs = map[string]map[string]string{
	"CheckpointLoaderSimple":   {"ckpt_name": "checkpoints"},
	"LTXAVTextEncoderLoader":   {"text_encoder": "text_encoders", "ckpt_name": "checkpoints"},
	"LTXVAudioVAELoader":       {"ckpt_name": "checkpoints"},
	"LoraLoaderModelOnly":      {"lora_name": "loras"},
	"LoraLoader":               {"lora_name": "loras"},
	"LatentUpscaleModelLoader": {"model_name": "latent_upscale_models"},
	"LoadMoGeModel":            {"model_name": "geometry_estimation"},
	"VAELoader":                {"vae_name": "vae"},
}

// mediaInputs are combos over ComfyUI's input folder: the job layer uploads
// the file first, so only the name's shape is checked here.
var mediaInputs = map[string]string{"LoadImage": "image", "LoadAudio": "audio", "LoadVideo": "file"}

// Validate checks an API-format prompt against a node schema the way ComfyUI's
// POST /prompt does, and stricter: every class exists; every required input
// is present and no unknown input is given; literals have the right type,
// range and combo choice (dynamic combos with dotted keys); model files are
// checked with known(folder, name) when known is non-nil, else against the
// schema's lists; links point at an existing node and an output whose type
// fits; there is an output node, no cycle, and every node feeds an output.
func Validate(prompt []byte, schema *Schema, known func(folder, name string) bool) error {
	var g map[string]*node
	if err := json.Unmarshal(prompt, &g); err != nil {
		return fmt.Errorf("workflows: prompt is not an API-format JSON object: %w", err)
	}
	v := validator{g: g, s: schema, known: known}
	v.run()
	if len(v.problems) == 0 {
		return nil
	}
	sort.SliceStable(v.problems, func(i, j int) bool { return v.problems[i].Node < v.problems[j].Node })
	return &ValidationError{Problems: v.problems}
}

type validator struct {
	g        map[string]*node
	s        *Schema
	known    func(folder, name string) bool
	problems []Problem
}

func (v *validator) add(id, class, input, format string, a ...any) {
	v.problems = append(v.problems, Problem{Node: id, Class: class, Input: input, Msg: fmt.Sprintf(format, a...)})
}

func (v *validator) run() {
	var outputs []string
	for _, id := range sortedIDs(v.g) {
		n := v.g[id]
		if n == nil || n.ClassType == "" {
			v.add(id, "", "", "has no class_type")
			continue
		}
		ns, ok := v.s.Nodes[n.ClassType]
		if !ok {
			v.add(id, n.ClassType, "", "node class %q is not installed on the server", n.ClassType)
			continue
		}
		if ns.OutputNode {
			outputs = append(outputs, id)
		}
		v.inputs(id, n, ns)
	}
	if len(outputs) == 0 {
		v.add("", "", "", "the prompt has no output node")
		return
	}
	v.cyclesAndReach(outputs)
}

func (v *validator) inputs(id string, n *node, ns NodeSchema) {
	seen := map[string]bool{}
	check := func(name string, spec InputSpec, required bool) {
		raw, ok := n.Inputs[name]
		seen[name] = true
		if !ok {
			if required {
				v.add(id, n.ClassType, name, "required input is missing")
			}
			return
		}
		v.value(id, n, name, spec, raw, seen)
	}
	for _, name := range sortedIDs(ns.Required) {
		check(name, ns.Required[name], true)
	}
	for _, name := range sortedIDs(ns.Optional) {
		check(name, ns.Optional[name], false)
	}
	for _, name := range sortedIDs(n.Inputs) {
		if seen[name] {
			continue
		}
		base, _, dotted := strings.Cut(name, ".")
		if dotted {
			if spec, ok := lookupSpec(ns, base); ok && spec.Type == "COMFY_AUTOGROW_V3" {
				continue
			}
		}
		v.add(id, n.ClassType, name, "unknown input (not in the node's schema)")
	}
}

func lookupSpec(ns NodeSchema, name string) (InputSpec, bool) {
	if s, ok := ns.Required[name]; ok {
		return s, true
	}
	s, ok := ns.Optional[name]
	return s, ok
}

func (v *validator) value(id string, n *node, name string, spec InputSpec, raw json.RawMessage, seen map[string]bool) {
	if l, ok := parseLink(raw); ok {
		v.link(id, n, name, spec, l)
		return
	}
	var val any
	if err := json.Unmarshal(raw, &val); err != nil {
		v.add(id, n.ClassType, name, "value is not JSON")
		return
	}
	switch spec.Type {
	case "INT", "FLOAT":
		f, ok := val.(float64)
		if !ok {
			v.add(id, n.ClassType, name, "expects a number, got %s", raw)
			return
		}
		if spec.Type == "INT" && f != math.Trunc(f) {
			v.add(id, n.ClassType, name, "expects a whole number, got %s", raw)
		}
		if spec.Min != nil && f < *spec.Min {
			v.add(id, n.ClassType, name, "value %v is smaller than the minimum %v", f, *spec.Min)
		}
		if spec.Max != nil && f > *spec.Max {
			v.add(id, n.ClassType, name, "value %v is bigger than the maximum %v", f, *spec.Max)
		}
	case "STRING":
		if _, ok := val.(string); !ok {
			v.add(id, n.ClassType, name, "expects text, got %s", raw)
		}
	case "BOOLEAN":
		if _, ok := val.(bool); !ok {
			v.add(id, n.ClassType, name, "expects true or false, got %s", raw)
		}
	case "COMBO":
		v.combo(id, n, name, spec, val, raw)
	case "COMFY_DYNAMICCOMBO_V3":
		key, ok := val.(string)
		sub, found := spec.Dynamic[key]
		if !ok || !found {
			v.add(id, n.ClassType, name, "%s is not one of %v", raw, spec.Options)
			return
		}
		for _, subName := range sortedIDs(sub) {
			full := name + "." + subName
			seen[full] = true
			subRaw, ok := n.Inputs[full]
			if !ok {
				v.add(id, n.ClassType, full, "required input is missing (dynamic combos take dotted keys)")
				continue
			}
			v.value(id, n, full, sub[subName], subRaw, seen)
		}
	default:
		v.add(id, n.ClassType, name, "expects a link to a %s output, got the literal %s", spec.Type, raw)
	}
}

func (v *validator) combo(id string, n *node, name string, spec InputSpec, val any, raw json.RawMessage) {
	if folder, ok := modelInputs[n.ClassType][name]; ok && v.known != nil {
		s, isStr := val.(string)
		if !isStr || !v.known(folder, s) {
			v.add(id, n.ClassType, name, "model file %s is not known in %s", raw, folder)
		}
		return
	}
	if mediaInputs[n.ClassType] == name {
		s, isStr := val.(string)
		if !isStr || checkInputName(s) != nil {
			v.add(id, n.ClassType, name, "expects a file name in ComfyUI's input folder, got %s", raw)
		}
		return
	}
	for _, o := range spec.Options {
		if fmt.Sprint(o) == fmt.Sprint(val) {
			return
		}
	}
	v.add(id, n.ClassType, name, "%s is not one of the server's choices", raw)
}

func (v *validator) link(id string, n *node, name string, spec InputSpec, l link) {
	src, ok := v.g[l.Node]
	if !ok || src == nil {
		v.add(id, n.ClassType, name, "links to node %q, which is not in the prompt", l.Node)
		return
	}
	ss, ok := v.s.Nodes[src.ClassType]
	if !ok {
		return // reported on the source node
	}
	if l.Slot < 0 || l.Slot >= len(ss.Outputs) {
		v.add(id, n.ClassType, name, "links to output %d of %s, which has %d outputs", l.Slot, src.ClassType, len(ss.Outputs))
		return
	}
	got := v.outputType(l, 0)
	want := []string{spec.Type}
	switch spec.Type {
	case "COMFY_MATCHTYPE_V3":
		want = spec.Allowed
	case "COMBO", "COMFY_DYNAMICCOMBO_V3":
		want = []string{"COMBO"}
	}
	if !typeMatches(got, want) {
		v.add(id, n.ClassType, name, "receives %s from node %s but expects %s", got, l.Node, strings.Join(want, " or "))
	}
}

// outputType resolves the type a link carries, following match-type outputs
// back to the input they mirror.
func (v *validator) outputType(l link, depth int) string {
	src := v.g[l.Node]
	ss := v.s.Nodes[src.ClassType]
	t := ss.Outputs[l.Slot]
	if t != "COMFY_MATCHTYPE_V3" || depth > 32 {
		return t
	}
	for name, spec := range ss.Required {
		if spec.Type == "COMFY_MATCHTYPE_V3" && spec.Template == ss.OutputTemp[l.Slot] {
			if in, ok := parseLink(src.Inputs[name]); ok {
				if s2, ok := v.g[in.Node]; ok && s2 != nil {
					if ns2, ok := v.s.Nodes[s2.ClassType]; ok && in.Slot >= 0 && in.Slot < len(ns2.Outputs) {
						return v.outputType(in, depth+1)
					}
				}
			}
		}
	}
	return "*"
}

func typeMatches(got string, want []string) bool {
	if got == "*" {
		return true
	}
	gotSet := strings.Split(got, ",")
	for _, w := range want {
		for _, ws := range strings.Split(w, ",") {
			if ws == "*" {
				return true
			}
			for _, g := range gotSet {
				if g == ws {
					return true
				}
			}
		}
	}
	return false
}

// cyclesAndReach reports dependency cycles and nodes that feed no output.
func (v *validator) cyclesAndReach(outputs []string) {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var visit func(id string) bool
	visit = func(id string) bool {
		switch color[id] {
		case grey:
			return false
		case black:
			return true
		}
		color[id] = grey
		n := v.g[id]
		if n != nil {
			for _, name := range sortedIDs(n.Inputs) {
				if l, ok := parseLink(n.Inputs[name]); ok {
					if _, exists := v.g[l.Node]; exists && !visit(l.Node) {
						v.add(id, n.ClassType, name, "is part of a dependency cycle")
						color[id] = black
						return false
					}
				}
			}
		}
		color[id] = black
		return true
	}
	for _, o := range outputs {
		visit(o)
	}
	for _, id := range sortedIDs(v.g) {
		if color[id] == white && v.g[id] != nil {
			v.add(id, v.g[id].ClassType, "", "is not connected to any output node (dead node)")
		}
	}
}
