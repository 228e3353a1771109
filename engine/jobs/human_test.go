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

// A missing checkpoint is named by three loaders (checkpoint, text encoder,
// audio VAE); the person reads about it once (seen on a real ComfyUI 0.27.0).
func TestMissingModelNamedOnce(t *testing.T) {
	notInList := func(file string) comfyapi.ErrorInfo {
		return comfyapi.ErrorInfo{Type: "value_not_in_list", Message: "Value not in list",
			ExtraInfo: []byte(`{"input_name": "ckpt_name", "received_value": "` + file + `"}`)}
	}
	pe := &comfyapi.PromptError{Status: 400, NodeErrors: map[string]comfyapi.NodeError{
		"ckpt": {ClassType: "CheckpointLoaderSimple", Errors: []comfyapi.ErrorInfo{notInList("ltx-2.3-22b-dev-fp8.safetensors")}},
		"te":   {ClassType: "LTXAVTextEncoderLoader", Errors: []comfyapi.ErrorInfo{notInList("ltx-2.3-22b-dev-fp8.safetensors")}},
		"avae": {ClassType: "LTXVAudioVAELoader", Errors: []comfyapi.ErrorInfo{notInList("ltx-2.3-22b-dev-fp8.safetensors")}},
		"up":   {ClassType: "LatentUpscaleModelLoader", Errors: []comfyapi.ErrorInfo{notInList("ltx-2.3-spatial-upscaler-x2-1.0.safetensors")}},
	}}
	got := mapIssues(face.Terminal, workflows.T2V, pe, &Built{}, nil)
	if len(got) != 2 {
		t.Fatalf("%d messages, want one per missing file: %v", len(got), got)
	}
	msg := HumanFor(face.Terminal, workflows.T2V, &RejectedError{Prompt: pe, Fields: got})
	if strings.Count(msg, "ltx-2.3-22b-dev-fp8.safetensors") != 1 {
		t.Errorf("the checkpoint is named more than once: %s", msg)
	}
}
