package jobs

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Human words an error for the person who pressed Generate in the window.
func Human(err error) string { return HumanFor(face.Window, "", err) }

// HumanFor words an error for a person using face, for a job of mode (""
// when not known), pointing at that face's way to fix it.
func HumanFor(fc face.Face, mode workflows.ModeID, err error) string {
	var ee *comfyapi.ExecutionError
	var rej *RejectedError
	var fe workflows.FieldError
	switch {
	case errors.As(err, &ee):
		return humanExec(fc, mode, ee)
	case errors.As(err, &rej):
		var parts []string
		for _, f := range rej.Fields {
			if f.Field != "" {
				parts = append(parts, string(f.Field)+": "+f.Msg)
			} else {
				parts = append(parts, f.Msg)
			}
		}
		return "ComfyUI refused these settings: " + strings.Join(parts, "; ")
	case errors.As(err, &fe):
		return err.Error()
	case errors.Is(err, comfyapi.ErrUnsafeName):
		return "ComfyUI reported an output file name that points outside its folder, so it was not copied (" + err.Error() + ")"
	case errors.Is(err, ErrNoVideo):
		return "ComfyUI finished but reported no video file; check that the graph ends in SaveVideo"
	}
	return err.Error()
}

func humanExec(fc face.Face, mode workflows.ModeID, e *comfyapi.ExecutionError) string {
	msg := strings.TrimSpace(e.ExceptionMessage)
	if i := strings.IndexByte(msg, '\n'); i > 0 {
		msg = msg[:i]
	}
	low := strings.ToLower(e.ExceptionType + " " + e.ExceptionMessage)
	switch {
	case strings.Contains(low, "outofmemory") || strings.Contains(low, "out of memory"):
		return fmt.Sprintf("The GPU ran out of memory in %s. Try a smaller size, a shorter clip, the Fast preset or fp8 weights, and close other programs using the GPU.", e.NodeType)
	case strings.Contains(low, "safetensor") || strings.Contains(low, "header too small") || strings.Contains(low, "deserializ"):
		file := ""
		for _, v := range e.CurrentInputs {
			for _, s := range v {
				if strings.HasSuffix(s, ".safetensors") {
					file = " (" + filepath.Base(s) + ")"
				}
			}
		}
		return fmt.Sprintf("A model file is damaged or incomplete%s: %s. %s", file, msg, fc.RefetchModel(string(mode)))
	}
	return fmt.Sprintf("ComfyUI failed in %s (node %s): %s: %s", e.NodeType, e.NodeID, e.ExceptionType, msg)
}

// fieldErrors lists the form fields an error points at.
func fieldErrors(err error) []workflows.FieldError {
	var rej *RejectedError
	if errors.As(err, &rej) {
		return rej.Fields
	}
	var out []workflows.FieldError
	var walk func(error)
	walk = func(err error) {
		var fe workflows.FieldError
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if errors.As(err, &fe) {
			out = append(out, fe)
		}
	}
	walk(err)
	return out
}

// inputField guesses the form field of a graph input by its name, when the
// builder gave no explicit map.
var inputField = map[string]workflows.Field{
	"width": workflows.FieldWidth, "height": workflows.FieldHeight, "text": workflows.FieldPrompt,
	"seed": workflows.FieldSeed, "noise_seed": workflows.FieldSeed,
	"length": workflows.FieldSeconds, "frames_number": workflows.FieldSeconds,
	"frame_rate": workflows.FieldFPS, "fps": workflows.FieldFPS,
	"ckpt_name": workflows.FieldPrecision, "text_encoder": workflows.FieldPrecision, "lora_name": workflows.FieldPreset,
	"strength_model": workflows.FieldCameraStrength,
}

// mapIssues turns ComfyUI validation issues into form field errors.
// fc and mode word the way to get a missing model file.
func mapIssues(fc face.Face, mode workflows.ModeID, pe *comfyapi.PromptError, b *Built, media []stagedMedia) []workflows.FieldError {
	var out []workflows.FieldError
	for _, is := range pe.Issues() {
		field := b.Fields[is.NodeID+"."+is.Input]
		if field == "" {
			field = inputField[is.Input]
		}
		for _, m := range media {
			if strings.Contains(string(is.Received), m.Name) {
				field = workflows.MediaField(m.Slot)
			}
		}
		msg := is.Message
		if is.Details != "" && is.Details != is.Input {
			msg += " (" + is.Details + ")"
		}
		if is.Type == "value_not_in_list" && strings.HasSuffix(strings.Trim(string(is.Received), `"`), ".safetensors") {
			msg = fmt.Sprintf("model file %s is not installed in ComfyUI; %s", strings.Trim(string(is.Received), `"`), fc.GetModels(string(mode)))
			field = workflows.FieldModels
		}
		if is.Input == "" {
			msg = fmt.Sprintf("%s (node %s, %s)", msg, is.NodeID, is.ClassType)
		} else if field == "" {
			msg = fmt.Sprintf("%s: %s (node %s, %s)", is.Input, msg, is.NodeID, is.ClassType)
		}
		// Several loaders naming one missing file give one line, not one each.
		fe := workflows.FieldError{Field: field, Msg: msg}
		if !slices.Contains(out, fe) {
			out = append(out, fe)
		}
	}
	return out
}
