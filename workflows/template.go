package workflows

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The six graphs live in graphs/<mode>.json as API-format prompts with
// readable node ids ("ckpt", "sample1", …). Each file also names its patch
// points: a point is a form-level value ("frames", "seed", "media.image") and
// the list of "node.input" leaves it is written to. Code never spells a node id
// of a mode's graph except through these points and the shared preset ops.
//
//go:embed graphs/*.json
var graphFS embed.FS

// Point names every template may define (a template lists only those it has).
const (
	ptCheckpoint   = "checkpoint"
	ptTextEncoder  = "text_encoder"
	ptPrompt       = "prompt"
	ptNegative     = "negative"
	ptLatentWidth  = "latent_width"
	ptLatentHeight = "latent_height"
	ptWidth        = "width"
	ptHeight       = "height"
	ptFrames       = "frames"
	ptSeconds      = "seconds"
	ptFPSFloat     = "fps_float"
	ptFPSInt       = "fps_int"
	ptSeed         = "seed"
	ptPrefix       = "filename_prefix"
	ptModel1       = "model1" // input that takes the stage-1 base model (a link)
	ptMediaPrefix  = "media."
)

// node is one API-format node while the builder reshapes the graph.
type node struct {
	ClassType string                     `json:"class_type"`
	Inputs    map[string]json.RawMessage `json:"inputs"`
	Meta      *struct {
		Title string `json:"title"`
	} `json:"_meta,omitempty"`
}

type template struct {
	Mode   ModeID              `json:"mode"`
	Output string              `json:"output"`
	Points map[string][]string `json:"points"`
	// Optional maps an optional media slot to the node that applies it and
	// the link input it is bypassed through when the slot is empty.
	Optional map[string]bypass `json:"optional,omitempty"`
	Prompt   json.RawMessage   `json:"prompt"`
}

type bypass struct {
	Node  string `json:"node"`
	Input string `json:"input"`
}

var (
	templatesOnce sync.Once
	templates     map[ModeID]*template
	templatesErr  error
)

// loadTemplates parses the embedded graphs once. The parsed values are never
// handed out: every build decodes Prompt afresh, so nothing can mutate them.
func loadTemplates() (map[ModeID]*template, error) {
	templatesOnce.Do(func() {
		templates = map[ModeID]*template{}
		for _, m := range modes {
			b, err := graphFS.ReadFile("graphs/" + string(m.ID) + ".json")
			if err != nil {
				templatesErr = fmt.Errorf("workflows: graph for mode %q is missing from the build: %w", m.ID, err)
				return
			}
			var t template
			if err := json.Unmarshal(b, &t); err != nil {
				templatesErr = fmt.Errorf("workflows: graph for mode %q is not valid JSON: %w", m.ID, err)
				return
			}
			if t.Mode != m.ID {
				templatesErr = fmt.Errorf("workflows: graphs/%s.json says mode %q", m.ID, t.Mode)
				return
			}
			templates[m.ID] = &t
		}
	})
	return templates, templatesErr
}

// decodeGraph returns a fresh, mutable copy of a template's nodes.
func (t *template) decodeGraph() (map[string]*node, error) {
	var g map[string]*node
	if err := json.Unmarshal(t.Prompt, &g); err != nil {
		return nil, fmt.Errorf("workflows: graph %q: %w", t.Mode, err)
	}
	return g, nil
}

// splitLeaf splits "node.input" at the first dot; input names may contain dots
// themselves (dynamic combos such as "resize_type.width").
func splitLeaf(leaf string) (id, input string) {
	id, input, _ = strings.Cut(leaf, ".")
	return id, input
}

// link is an API-format link [node id, output slot].
type link struct {
	Node string
	Slot int
}

func parseLink(raw json.RawMessage) (link, bool) {
	var arr []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &arr) != nil || len(arr) != 2 {
		return link{}, false
	}
	var l link
	if json.Unmarshal(arr[0], &l.Node) != nil || json.Unmarshal(arr[1], &l.Slot) != nil {
		return link{}, false
	}
	return l, true
}

func (l link) raw() json.RawMessage {
	b, _ := json.Marshal([]any{l.Node, l.Slot})
	return b
}

// sortedIDs returns node ids in a stable order.
func sortedIDs[V any](g map[string]V) []string {
	ids := make([]string, 0, len(g))
	for id := range g {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
