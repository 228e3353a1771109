package workflows

import (
	"encoding/json"
	"fmt"
	"sort"
)

// ModelRef names a model file as the graph uses it: the ComfyUI models
// sub-folder ("checkpoints", "loras", …) and the file name.
type ModelRef struct {
	Folder string
	Name   string
}

// NodePack is a ComfyUI custom-node pack pinned by commit.
type NodePack struct {
	Name   string
	URL    string
	Commit string
}

// CustomNodePacks lists the custom-node packs the graphs need, for the
// installer. It is empty on purpose: every node of the six graphs is a
// ComfyUI core node (comfy 0.27.0, nodes.py and comfy_extras). ComfyUI-LTXVideo
// and VideoHelperSuite were present on the recorded server but are not used.
var CustomNodePacks = []NodePack{}

// outputClasses are known output nodes, for prompts walked without a schema.
var outputClasses = map[string]bool{"SaveVideo": true, "SaveImage": true, "PreviewAny": true, "SaveAudio": true, "PreviewImage": true}

// RequiredModels lists the model files a prompt loads, walking only the nodes
// its output nodes depend on. The result is sorted and free of duplicates.
func RequiredModels(prompt []byte) ([]ModelRef, error) {
	var g map[string]*node
	if err := json.Unmarshal(prompt, &g); err != nil {
		return nil, fmt.Errorf("workflows: prompt is not an API-format JSON object: %w", err)
	}
	isOutput := func(class string) bool { return outputClasses[class] }
	if s, err := EmbeddedSchema(); err == nil {
		isOutput = func(class string) bool {
			if ns, ok := s.Nodes[class]; ok {
				return ns.OutputNode
			}
			return outputClasses[class]
		}
	}
	seen := map[string]bool{}
	var stack []string
	for _, id := range sortedIDs(g) {
		if g[id] != nil && isOutput(g[id].ClassType) {
			stack = append(stack, id)
		}
	}
	set := map[ModelRef]bool{}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := g[id]
		if n == nil || seen[id] {
			continue
		}
		seen[id] = true
		for name, raw := range n.Inputs {
			if l, ok := parseLink(raw); ok {
				stack = append(stack, l.Node)
				continue
			}
			folder, ok := modelInputs[n.ClassType][name]
			if !ok {
				continue
			}
			var file string
			if json.Unmarshal(raw, &file) == nil && file != "" {
				set[ModelRef{Folder: folder, Name: file}] = true
			}
		}
	}
	out := make([]ModelRef, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Folder != out[j].Folder {
			return out[i].Folder < out[j].Folder
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
