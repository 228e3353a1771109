package jobs

import (
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Each face is told its own way to fix a model file: the terminal a
// command, the window a place in Settings; neither the other's.
func TestHumanPointsAtTheFaceInUse(t *testing.T) {
	damaged := &comfyapi.ExecutionError{NodeType: "CheckpointLoaderSimple", ExceptionType: "safetensors_rust.SafetensorError",
		ExceptionMessage: "Error while deserializing header: HeaderTooSmall",
		CurrentInputs:    map[string][]string{"ckpt_name": {"ltx-2.3-22b-dev-fp8.safetensors"}}}
	term := HumanFor(face.Terminal, workflows.Keyframe, damaged)
	if !strings.Contains(term, "ltx-studio models repair --mode keyframe") || strings.Contains(term, "Settings") || strings.Contains(term, "screen") {
		t.Errorf("terminal: %s", term)
	}
	win := Human(damaged)
	if !strings.Contains(win, "Settings → Repair") || strings.Contains(win, "ltx-studio") {
		t.Errorf("window: %s", win)
	}
}
