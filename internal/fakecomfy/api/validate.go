package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// nodeInfo is the part of an object_info entry that validation needs.
type nodeInfo struct {
	Input struct {
		Required map[string]json.RawMessage `json:"required"`
		Optional map[string]json.RawMessage `json:"optional"`
	} `json:"input"`
	Output     []json.RawMessage `json:"output"`
	OutputNode bool              `json:"output_node"`
}

// node is one node of a posted API-format prompt.
type node struct {
	ClassType string                     `json:"class_type"`
	Inputs    map[string]json.RawMessage `json:"inputs"`
}

type errObj struct {
	Type      string         `json:"type"`
	Message   string         `json:"message"`
	Details   string         `json:"details"`
	ExtraInfo map[string]any `json:"extra_info"`
}

type nodeErr struct {
	Errors           []errObj `json:"errors"`
	DependentOutputs []string `json:"dependent_outputs"`
	ClassType        string   `json:"class_type"`
}

// rejection is a 400 body of POST /api/prompt, shaped like the recordings.
type rejection struct {
	Error      errObj             `json:"error"`
	NodeErrors map[string]nodeErr `json:"node_errors"`
}

func loadObjectInfo(opt Options) (map[string]nodeInfo, error) {
	data := opt.ObjectInfo
	if data == nil && opt.ObjectInfoPath != "" {
		b, err := os.ReadFile(opt.ObjectInfoPath)
		if err != nil {
			return nil, fmt.Errorf("read object_info: %w", err)
		}
		data = b
	}
	if data == nil {
		return nil, nil
	}
	var m map[string]nodeInfo
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("decode object_info: %w", err)
	}
	return m, nil
}

// validate checks a prompt the way ComfyUI's validate_prompt does for the
// cases the app can hit: unknown classes, no outputs, missing inputs, type
// mismatches on links, ranges and combo lists. It returns the output nodes.
func (s *Server) validate(p map[string]node) ([]string, *rejection) {
	ids := sortedIDs(p)
	for _, id := range ids {
		n := p[id]
		if _, ok := s.info[n.ClassType]; !ok && s.info != nil {
			return nil, &rejection{Error: errObj{Type: "missing_node_type",
				Message:   fmt.Sprintf("Node '%s' not found. The custom node may not be installed.", n.ClassType),
				Details:   fmt.Sprintf("Node ID '#%s'", id),
				ExtraInfo: map[string]any{"node_id": id, "class_type": n.ClassType, "node_title": n.ClassType}},
				NodeErrors: map[string]nodeErr{}}
		}
	}
	var outputs []string
	for _, id := range ids {
		if s.isOutput(p[id].ClassType) {
			outputs = append(outputs, id)
		}
	}
	if len(outputs) == 0 {
		return nil, &rejection{Error: errObj{Type: "prompt_no_outputs", Message: "Prompt has no outputs",
			ExtraInfo: map[string]any{}}, NodeErrors: map[string]nodeErr{}}
	}
	if s.info == nil {
		return outputs, nil
	}
	errs := map[string]nodeErr{}
	for _, out := range outputs {
		for _, id := range reachable(p, out) {
			e := s.checkNode(p, id)
			if len(e) == 0 {
				continue
			}
			ne := errs[id]
			if ne.Errors == nil {
				ne = nodeErr{Errors: e, ClassType: p[id].ClassType}
			}
			ne.DependentOutputs = append(ne.DependentOutputs, out)
			errs[id] = ne
		}
	}
	if len(errs) == 0 {
		return outputs, nil
	}
	return nil, &rejection{Error: errObj{Type: "prompt_outputs_failed_validation",
		Message: "Prompt outputs failed validation", ExtraInfo: map[string]any{}}, NodeErrors: errs}
}

func (s *Server) isOutput(class string) bool {
	if s.info == nil {
		return strings.HasPrefix(class, "Save") || strings.HasPrefix(class, "Preview") || class == "VHS_VideoCombine"
	}
	return s.info[class].OutputNode
}

func sortedIDs(p map[string]node) []string {
	ids := make([]string, 0, len(p))
	for id := range p {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// link decodes ["id", slot]; ok is false for a literal.
func link(v json.RawMessage) (id string, slot int, ok bool) {
	var l []json.RawMessage
	if json.Unmarshal(v, &l) != nil || len(l) != 2 {
		return "", 0, false
	}
	if json.Unmarshal(l[0], &id) != nil || json.Unmarshal(l[1], &slot) != nil {
		return "", 0, false
	}
	return id, slot, true
}

// reachable lists the nodes out depends on (itself included), deps first.
func reachable(p map[string]node, out string) []string {
	seen := map[string]bool{}
	var order []string
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		n, ok := p[id]
		if !ok {
			return
		}
		for _, k := range sortedKeys(n.Inputs) {
			if src, _, ok := link(n.Inputs[k]); ok {
				walk(src)
			}
		}
		order = append(order, id)
	}
	walk(out)
	return order
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (s *Server) checkNode(p map[string]node, id string) []errObj {
	n := p[id]
	info := s.info[n.ClassType]
	var out []errObj
	for _, name := range sortedKeys(info.Input.Required) {
		spec := info.Input.Required[name]
		v, ok := n.Inputs[name]
		if !ok {
			out = append(out, errObj{Type: "required_input_missing", Message: "Required input is missing",
				Details: name, ExtraInfo: map[string]any{"input_name": name}})
			continue
		}
		if e := s.checkInput(p, name, spec, v); e != nil {
			out = append(out, *e)
		}
	}
	for _, name := range sortedKeys(info.Input.Optional) {
		if v, ok := n.Inputs[name]; ok {
			if e := s.checkInput(p, name, info.Input.Optional[name], v); e != nil {
				out = append(out, *e)
			}
		}
	}
	return out
}

// specOf splits an input spec into its type (string or combo list) and options.
func specOf(spec json.RawMessage) (typ string, combo []string, opts map[string]json.RawMessage) {
	var parts []json.RawMessage
	if json.Unmarshal(spec, &parts) != nil || len(parts) == 0 {
		return "", nil, nil
	}
	if len(parts) > 1 {
		_ = json.Unmarshal(parts[1], &opts)
	}
	if json.Unmarshal(parts[0], &typ) == nil {
		if typ == "COMBO" {
			_ = json.Unmarshal(opts["options"], &combo)
			if combo == nil {
				combo = []string{}
			}
		}
		return typ, combo, opts
	}
	var list []any
	_ = json.Unmarshal(parts[0], &list)
	combo = []string{}
	for _, x := range list {
		combo = append(combo, fmt.Sprint(x))
	}
	return "COMBO", combo, opts
}

func (s *Server) checkInput(p map[string]node, name string, spec, v json.RawMessage) *errObj {
	typ, combo, opts := specOf(spec)
	if src, slot, ok := link(v); ok {
		return s.checkLink(p, name, spec, typ, src, slot)
	}
	withCfg := func(t, msg, details string) *errObj {
		return &errObj{Type: t, Message: msg, Details: details, ExtraInfo: map[string]any{
			"input_name": name, "input_config": spec, "received_value": json.RawMessage(v)}}
	}
	switch typ {
	case "INT", "FLOAT":
		return checkNumber(typ, name, v, opts, withCfg)
	case "COMBO":
		var val string
		if json.Unmarshal(v, &val) != nil {
			val = string(v)
		}
		if isUpload(opts) {
			return s.checkInputFile(name, spec, v, val)
		}
		for _, c := range combo {
			if c == val {
				return nil
			}
		}
		listText := pyList(combo)
		e := withCfg("value_not_in_list", "Value not in list", fmt.Sprintf("%s: '%s' not in %s", name, val, listText))
		if len(combo) > 20 {
			e.ExtraInfo["input_config"] = nil
		}
		return e
	}
	return nil
}

func checkNumber(typ, name string, v json.RawMessage, opts map[string]json.RawMessage,
	withCfg func(t, msg, details string) *errObj) *errObj {
	var f float64
	if json.Unmarshal(v, &f) != nil {
		return withCfg("invalid_input_type", fmt.Sprintf("Failed to convert an input value to a %s value", typ),
			fmt.Sprintf("%s, %s", name, v))
	}
	var lo, hi float64
	if m, ok := opts["min"]; ok && json.Unmarshal(m, &lo) == nil && f < lo {
		return withCfg("value_smaller_than_min", fmt.Sprintf("Value %s smaller than min of %s", v, m), name)
	}
	if m, ok := opts["max"]; ok && json.Unmarshal(m, &hi) == nil && f > hi {
		return withCfg("value_bigger_than_max", fmt.Sprintf("Value %s bigger than max of %s", v, m), name)
	}
	return nil
}

func isUpload(opts map[string]json.RawMessage) bool {
	for _, k := range []string{"image_upload", "audio_upload", "video_upload"} {
		if string(opts[k]) == "true" {
			return true
		}
	}
	return false
}

// checkInputFile mirrors LoadImage's validator: the file must exist in the
// input folder (subfolder paths allowed, nothing outside it).
func (s *Server) checkInputFile(name string, spec, v json.RawMessage, val string) *errObj {
	clean := filepath.Clean(filepath.FromSlash(val))
	ok := val != "" && !filepath.IsAbs(clean) && !strings.HasPrefix(clean, "..")
	if ok {
		_, err := os.Stat(filepath.Join(s.opt.InputDir, clean))
		ok = err == nil
	}
	if ok {
		return nil
	}
	return &errObj{Type: "custom_validation_failed", Message: "Custom validation failed for node",
		Details:   fmt.Sprintf("%s - Invalid file: %s", name, val),
		ExtraInfo: map[string]any{"input_name": name, "input_config": spec, "received_value": json.RawMessage(v)}}
}

func (s *Server) checkLink(p map[string]node, name string, spec json.RawMessage, typ, src string, slot int) *errObj {
	sn, ok := p[src]
	if !ok {
		return &errObj{Type: "bad_linked_input", Message: "Bad linked input, must be a length-2 list of [node_id, slot_index]",
			Details: name, ExtraInfo: map[string]any{"input_name": name, "input_config": spec}}
	}
	outs := s.info[sn.ClassType].Output
	if slot < 0 || slot >= len(outs) {
		return &errObj{Type: "bad_linked_input", Message: "Bad linked input, output slot out of range",
			Details: name, ExtraInfo: map[string]any{"input_name": name, "input_config": spec}}
	}
	var got string
	if json.Unmarshal(outs[slot], &got) != nil || got == "*" || typ == "*" || typ == "" || typ == "COMBO" ||
		strings.HasPrefix(typ, "COMFY_") || strings.HasPrefix(got, "COMFY_") {
		return nil
	}
	for _, t := range strings.Split(typ, ",") {
		if t == got {
			return nil
		}
	}
	return &errObj{Type: "return_type_mismatch", Message: "Return type mismatch between linked nodes",
		Details: fmt.Sprintf("%s, received_type(%s) mismatch input_type(%s)", name, got, typ),
		ExtraInfo: map[string]any{"input_name": name, "input_config": spec, "received_type": got,
			"linked_node": []any{src, slot}}}
}

// pyList writes a list the way Python's repr does (as ComfyUI's message does).
func pyList(l []string) string {
	if len(l) > 20 {
		return fmt.Sprintf("(list of length %d)", len(l))
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s'", s)
	}
	b.WriteByte(']')
	return b.String()
}
