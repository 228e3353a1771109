package workflows

import (
	"encoding/json"
	"fmt"
)

// Prompt enhancement.
//
// The official LTX-2.3 templates rewrite the prompt with Gemma before encoding
// it: Comfy-Org's video_ltx2_3_t2v (commit 904843f2) runs the core node
// TextGenerateLTX2Prompt (max_length 256, sampling on: temperature 0.7, top_k
// 64, top_p 0.95, min_p 0.05, repetition_penalty 1.05) and shows its output
// with PreviewAny; video_ltx2_3_ic_lora (0d24659b) does the same behind a
// switch that is off by default and hands it the first frame. The app runs
// the node on the text encoder it already loaded, so enhancing costs one
// Gemma generation and no download.
//
// Node ids added to a graph when the form asks for it.
const (
	enhanceNode  = "enhance"   // TextGenerateLTX2Prompt
	enhancedNode = "enhanced"  // PreviewAny: the text ends up in the history outputs
	cameraJoin   = "promptcam" // StringConcatenate: enhanced text + camera wording
	enhanceTE    = "te"        // the text encoder loader every template has
	enhancePos   = "pos"       // the positive CLIPTextEncode every template has
	enhanceMax   = 256         // max_length of the official t2v template
)

// enhanceImage names, per mode, the node whose image the enhancer looks at
// (the scaled start image or first frame); modes without one describe text only.
var enhanceImage = map[ModeID]string{I2V: "imgscale", Lipsync: "imgscale", Keyframe: "firstscale", Style: "sscale"}

// EnhancesByDefault says whether "Enhance prompt" starts ticked for a mode:
// on where the official template runs the enhancer (t2v, i2v, and the ia2v
// template behind a2v and lipsync), off where it is optional and off
// (ic_lora, behind style) or absent (flf2v, behind keyframe).
func EnhancesByDefault(id ModeID) bool {
	switch id {
	case T2V, I2V, A2V, Lipsync:
		return true
	}
	return false
}

// addEnhancer wires TextGenerateLTX2Prompt between the user's prompt and the
// positive text encoder. suffix is the camera wording, appended after the
// enhancement so Gemma cannot drop it. It returns the PreviewAny node id.
func addEnhancer(g map[string]*node, m ModeID, prompt, suffix string, seed int64) (string, error) {
	pos, ok := g[enhancePos]
	if !ok || g[enhanceTE] == nil {
		return "", fmt.Errorf("workflows: graph %q has no %q/%q nodes to enhance", m, enhancePos, enhanceTE)
	}
	in := map[string]any{
		"clip": link{enhanceTE, 0}.raw(), "prompt": prompt, "max_length": enhanceMax,
		"sampling_mode": "on", "sampling_mode.temperature": 0.7, "sampling_mode.top_k": 64,
		"sampling_mode.top_p": 0.95, "sampling_mode.min_p": 0.05, "sampling_mode.repetition_penalty": 1.05,
		// The job's seed makes the rewrite repeatable with the video.
		"sampling_mode.seed": seed,
	}
	if img, ok := enhanceImage[m]; ok && g[img] != nil {
		in["image"] = link{img, 0}.raw()
	}
	n, err := newNode("TextGenerateLTX2Prompt", "Enhance prompt", in)
	if err != nil {
		return "", err
	}
	g[enhanceNode] = n
	text := link{enhanceNode, 0}
	if suffix != "" {
		j, err := newNode("StringConcatenate", "Camera wording", map[string]any{
			"string_a": text.raw(), "string_b": suffix, "delimiter": " "})
		if err != nil {
			return "", err
		}
		g[cameraJoin] = j
		text = link{cameraJoin, 0}
	}
	pos.Inputs["text"] = text.raw()
	show, err := newNode("PreviewAny", "Enhanced prompt", map[string]any{"source": text.raw()})
	if err != nil {
		return "", err
	}
	g[enhancedNode] = show
	return enhancedNode, nil
}

func newNode(class, title string, inputs map[string]any) (*node, error) {
	n := &node{ClassType: class, Inputs: map[string]json.RawMessage{}}
	n.Meta = &struct {
		Title string `json:"title"`
	}{title}
	for k, v := range inputs {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		n.Inputs[k] = b
	}
	return n, nil
}
