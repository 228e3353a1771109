package workflows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/tidwall/sjson"
)

// BuildOptions are the job layer's choices that are not part of the form.
type BuildOptions struct {
	// MediaNames maps a slot ID to the file name in ComfyUI's input folder
	// (the job layer uploads under content-hash names). When a slot is
	// missing, filepath.Base of Form.Media[slot] is used.
	MediaNames map[string]string
	// FilenamePrefix is SaveVideo's filename_prefix; "" means "ltx-studio/<mode>".
	FilenamePrefix string
}

// Prompt is a built, ready-to-queue ComfyUI prompt.
type Prompt struct {
	Mode   ModeID
	Preset Preset
	// JSON is the API-format graph: the "prompt" object of POST /prompt.
	JSON []byte
	// Stages maps every node id of JSON to its stage.
	Stages map[string]Stage
	// OutputNode is the SaveVideo node whose history entry holds the mp4.
	OutputNode string
	// EnhancedNode is the PreviewAny node whose history entry holds the
	// enhanced prompt (outputs[id].text[0]); "" when the form did not ask.
	EnhancedNode string
	Width        int
	Height       int
	Frames       int
	FPS          int
	Seed         int64
	// Camera is the motion actually applied ("auto" resolved).
	Camera Camera
	// Models are the files the graph loads.
	Models []ModelRef
}

// ResolveSeed fills in a random seed when the form asks for one, so the
// built prompt (and the job record) carry the seed that was really used.
func ResolveSeed(f Form, r *rand.Rand) Form {
	if f.RandomSeed {
		f.Seed = int64(r.Uint64() >> 1) // RandomNoise accepts 0…2^64-1; keep it a valid int64
		f.RandomSeed = false
	}
	return f
}

func fieldErrors(errs []FieldError) error {
	if len(errs) == 1 {
		return errs[0]
	}
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}

// Build validates the form and turns it into the mode's graph for its preset,
// precision, camera and media. Form errors come back as FieldError values
// (joined when there are several). The embedded templates are never changed.
// A form with RandomSeed set is built with f.Seed as it is: call ResolveSeed first.
func Build(f Form, opt BuildOptions) (*Prompt, error) {
	if errs := f.Validate(); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	if f.RandomSeed && f.Seed < 0 {
		return nil, FieldError{"seed", "resolve the random seed before building"}
	}
	m, _ := Lookup(f.Mode)
	media := map[string]string{}
	var errs []FieldError
	var skipped []bypass
	for _, s := range m.Slots {
		if s.Optional && strings.TrimSpace(f.Media[s.ID]) == "" && opt.MediaNames[s.ID] == "" {
			continue // bypassed below
		}
		name := opt.MediaNames[s.ID]
		if name == "" {
			name = filepath.Base(f.Media[s.ID])
		}
		if err := checkInputName(name); err != nil {
			errs = append(errs, FieldError{MediaField(s.ID), err.Error()})
		}
		media[s.ID] = name
	}
	prefix := opt.FilenamePrefix
	if prefix == "" {
		prefix = "ltx-studio/" + string(f.Mode)
	}
	if strings.Contains(prefix, "..") || strings.HasPrefix(prefix, "/") || strings.ContainsAny(prefix, "\\\x00") {
		return nil, fmt.Errorf("workflows: filename prefix %q must be a relative path inside ComfyUI's output folder", prefix)
	}
	if len(errs) > 0 {
		return nil, fieldErrors(errs)
	}

	ts, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	t := ts[f.Mode]
	g, err := t.decodeGraph()
	if err != nil {
		return nil, err
	}
	if err := applyOps(g, t, opsFor(f.Mode, f.Preset)); err != nil {
		return nil, err
	}
	if err := applyOps(g, t, weightsOps(f.Weights)); err != nil {
		return nil, err
	}
	for _, s := range m.Slots {
		if _, given := media[s.ID]; !given {
			if b, ok := t.Optional[s.ID]; ok {
				skipped = append(skipped, b)
			}
		}
	}
	for _, b := range skipped {
		if err := applyOps(g, t, []presetOp{{kind: opBypass, node: b.Node, input: b.Input}}); err != nil {
			return nil, err
		}
	}
	cam := ResolveCamera(f.Camera, f.Prompt)
	if m.SourceCamera {
		cam = CameraNone // the control video carries the camera; Validate refuses explicit motions
	}
	camPos, camNeg := cameraWords(cam, f.CameraStrength)
	prune(g, t.Output)
	// After pruning, so the enhancer only looks at images the graph still
	// uses (an empty optional first frame is gone by now).
	enhanced := ""
	if f.Enhance {
		if enhanced, err = addEnhancer(g, f.Mode, f.Prompt, camPos, f.Seed); err != nil {
			return nil, err
		}
	}
	body, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("workflows: encoding graph: %w", err)
	}

	frames := Frames(f.Seconds, f.FPS)
	seconds := TrueSeconds(frames, f.FPS)
	if m.FramesWithin {
		// Slice half a frame more than the clip so the source surely yields
		// all of its frames; ImageFromBatch then takes exactly frames.
		seconds = TrueSeconds(2*frames+1, 2*f.FPS)
	}
	latentW, latentH := f.Width, f.Height
	if m.TwoStage {
		latentW, latentH = f.Width/2, f.Height/2
	}
	values := map[string]any{
		ptCheckpoint:   CheckpointFile(f),
		ptTextEncoder:  TextEncoderFile(f.Precision),
		ptPrompt:       joinText(f.Prompt, camPos, " "),
		ptNegative:     joinText(f.Negative, camNeg, ", "),
		ptLatentWidth:  latentW,
		ptLatentHeight: latentH,
		ptWidth:        f.Width,
		ptHeight:       f.Height,
		ptFrames:       frames,
		ptSeconds:      math.Round(seconds*1000) / 1000,
		ptFPSFloat:     float64(f.FPS),
		ptFPSInt:       f.FPS,
		ptSeed:         f.Seed,
		ptPrefix:       prefix,
	}
	for slot, name := range media {
		values[ptMediaPrefix+slot] = name
	}
	if f.Enhance {
		delete(values, ptPrompt) // pos.text is the enhancer's output (a link)
	}
	for _, point := range sortedIDs(t.Points) {
		v, ok := values[point]
		if !ok {
			continue // structural points (model1) are handled by preset ops
		}
		for _, leaf := range t.Points[point] {
			id, input := splitLeaf(leaf)
			if _, ok := g[id]; !ok {
				continue // pruned by the preset
			}
			body, err = sjson.SetBytes(body, escapePath(id)+".inputs."+escapePath(input), v)
			if err != nil {
				return nil, fmt.Errorf("workflows: patching %s: %w", leaf, err)
			}
		}
	}
	models, err := RequiredModels(body)
	if err != nil {
		return nil, err
	}
	return &Prompt{
		Mode: f.Mode, Preset: f.Preset, JSON: body,
		Stages:     stagesFor(g, m, f.Preset),
		OutputNode: t.Output, EnhancedNode: enhanced,
		Width: f.Width, Height: f.Height, Frames: frames, FPS: f.FPS, Seed: f.Seed,
		Camera: cam, Models: models,
	}, nil
}

// checkInputName refuses names that would leave ComfyUI's input folder.
func checkInputName(name string) error {
	switch {
	case name == "" || name == "." || name == ".." || name == "/":
		return errors.New("has no usable file name")
	case strings.ContainsAny(name, "/\\\x00"):
		return fmt.Errorf("file name %q must not contain a path", name)
	}
	return nil
}

// escapePath escapes gjson/sjson path syntax in a node id or input name
// (dynamic-combo inputs such as "resize_type.width" contain dots).
func escapePath(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '.', '*', '?', '|', '#', '@', '\\', '!', '=', '<', '>', '%', ':':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// prune drops every node the output nodes do not depend on, so presets that
// bypass a node leave no dead loaders behind.
func prune(g map[string]*node, outputs ...string) {
	keep := map[string]bool{}
	stack := append([]string(nil), outputs...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, ok := g[id]
		if !ok || keep[id] {
			continue
		}
		keep[id] = true
		for _, raw := range n.Inputs {
			if l, ok := parseLink(raw); ok {
				stack = append(stack, l.Node)
			}
		}
	}
	for id := range g {
		if !keep[id] {
			delete(g, id)
		}
	}
}

// Export returns the prompt as indented API-format JSON, the file a user can
// load into ComfyUI ("Load (API format)") or POST as the "prompt" field. A
// prompt a sidecar recorded is exported as &Prompt{JSON: recorded}.
func Export(p *Prompt) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, p.JSON, "", "  "); err != nil {
		return append([]byte(nil), p.JSON...) // not JSON: handed back as it is
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// Check validates the built prompt against the embedded node schemas, with
// model files looked up through known (nil: the recorded server's lists).
// The job layer (jobs.WorkflowsBuilder) calls it before queueing.
func (p *Prompt) Check(known func(folder, name string) bool) error {
	s, err := EmbeddedSchema()
	if err != nil {
		return err
	}
	return Validate(p.JSON, s, known)
}
