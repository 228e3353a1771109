package jobs

import (
	"fmt"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// WorkflowsBuilder builds prompts with the workflows package: the six mode
// graphs, presets, camera and media patched in.
type WorkflowsBuilder struct {
	// FilenamePrefix is SaveVideo's prefix ("" = ltx-studio/<mode>).
	FilenamePrefix string
}

// Build implements Builder.
func (w WorkflowsBuilder) Build(form workflows.Form, media map[string]string) (*Built, error) {
	p, err := workflows.Build(form, workflows.BuildOptions{MediaNames: media, FilenamePrefix: w.FilenamePrefix})
	if err != nil {
		return nil, err
	}
	// The graph must pass ComfyUI's own checks before it is queued; model
	// files are the model manager's business (it fetched and linked them),
	// so here only the graph's shape, types and values are checked.
	if err := p.Check(anyModel); err != nil {
		return nil, fmt.Errorf("the %s graph does not pass ComfyUI's checks (a bug in the app, please report it): %w", form.Mode, err)
	}
	b := &Built{Prompt: p.JSON, Stages: map[string]Stage{}, OutputNode: p.OutputNode, EnhancedNode: p.EnhancedNode}
	for id, s := range p.Stages {
		b.Stages[id] = Stage{Name: s.Name, Weight: s.Weight}
	}
	for _, m := range p.Models {
		b.Models = append(b.Models, ModelRef{Folder: m.Folder, Name: m.Name})
	}
	return b, nil
}

func anyModel(folder, name string) bool { return true }
