package workflows

import (
	"strings"
)

// Camera motion and why it is text, not a LoRA.
//
// The LTX-2 camera-control LoRAs (ltx-2-19b-lora-camera-control-*) were
// trained on the 19B LTX-2 model. LTX-2.3 (22B) is a different network: its
// video VAE was rebuilt (a new latent space), the text path changed (separate
// video/audio aggregate embeddings, caption projection moved ahead of the
// connector, cross-attention AdaLN) and it is larger. ComfyUI's LoRA loader
// does not refuse such a file: keys that do not map onto the model are only
// logged ("lora key not loaded") and the rest are patched where shapes allow,
// so the job runs and the "camera LoRA" either does nothing or pushes weights
// in directions that mean nothing in the new latent space. Lightricks ships no
// camera LoRA for LTX-2.3 and says LTX-2 LoRAs must be retrained for it.
//
// LTX-2.3 follows camera directions written in the prompt (its Gemma text
// path was trained on captions that describe camera work), so the app steers
// the camera through conditioning: a fixed sentence per motion is appended to
// the positive prompt and the opposite motions are appended to the negative
// prompt. Both change the text-encoder inputs, so the conditioning tensors and
// the output change; the negative half matters where cfg > 1 (Quality).
// Strength picks the wording: 0 adds nothing, below 0.5 a gentle variant,
// from 1.25 an emphatic one; the negative half is added from 0.5 up.

// CameraInfo is a camera option for the UI.
type CameraInfo struct {
	ID    Camera
	Label string
}

type cameraText struct {
	gentle, normal, strong string
	avoid                  string
	cues                   []string // prompt phrases that select this motion under "auto"
}

var cameraOrder = []CameraInfo{
	{CameraAuto, "Auto (from the prompt)"},
	{CameraNone, "None"},
	{CameraStatic, "Static"},
	{CameraDollyIn, "Dolly in"},
	{CameraDollyOut, "Dolly out"},
	{CameraDollyL, "Dolly left"},
	{CameraDollyR, "Dolly right"},
	{CameraJibUp, "Jib up"},
	{CameraJibDown, "Jib down"},
}

var cameraTexts = map[Camera]cameraText{
	CameraStatic: {
		gentle: "The camera stays mostly still.",
		normal: "Static shot: the camera is locked off on a tripod and does not move.",
		strong: "Perfectly static locked-off shot on a tripod; absolutely no camera movement, no pan, no zoom, no shake.",
		avoid:  "camera movement, camera shake, panning, zooming, dolly shot, handheld",
		cues:   []string{"static camera", "static shot", "locked-off", "locked off", "tripod shot", "camera does not move", "still camera"},
	},
	CameraDollyIn: {
		gentle: "The camera drifts slightly forward toward the subject.",
		normal: "The camera slowly dollies in, moving forward toward the subject.",
		strong: "A pronounced dolly-in: the camera pushes steadily forward toward the subject, which grows larger in frame.",
		avoid:  "static camera, camera moving backward, dolly out, zooming out",
		cues:   []string{"dolly in", "dolly-in", "dollies in", "push in", "pushes in", "camera moves forward", "zoom in", "zooms in"},
	},
	CameraDollyOut: {
		gentle: "The camera drifts slightly back from the subject.",
		normal: "The camera slowly dollies out, pulling back away from the subject.",
		strong: "A pronounced dolly-out: the camera pulls steadily back, revealing more of the surroundings as the subject shrinks in frame.",
		avoid:  "static camera, camera moving forward, dolly in, zooming in",
		cues:   []string{"dolly out", "dolly-out", "dollies out", "pull back", "pulls back", "pull out", "camera moves backward", "zoom out", "zooms out"},
	},
	CameraDollyL: {
		gentle: "The camera drifts slightly to the left.",
		normal: "The camera dollies to the left, tracking sideways past the scene.",
		strong: "A pronounced lateral dolly to the left: the camera tracks steadily sideways to the left with clear parallax.",
		avoid:  "static camera, camera moving right",
		cues:   []string{"dolly left", "dolly-left", "dollies left", "truck left", "trucks left", "tracks left", "camera moves left"},
	},
	CameraDollyR: {
		gentle: "The camera drifts slightly to the right.",
		normal: "The camera dollies to the right, tracking sideways past the scene.",
		strong: "A pronounced lateral dolly to the right: the camera tracks steadily sideways to the right with clear parallax.",
		avoid:  "static camera, camera moving left",
		cues:   []string{"dolly right", "dolly-right", "dollies right", "truck right", "trucks right", "tracks right", "camera moves right"},
	},
	CameraJibUp: {
		gentle: "The camera rises slightly.",
		normal: "The camera rises on a jib, moving smoothly upward.",
		strong: "A pronounced jib up: the camera cranes steadily upward, rising high above the scene.",
		avoid:  "static camera, camera moving down",
		cues:   []string{"jib up", "jib-up", "jibs up", "crane up", "cranes up", "pedestal up", "camera rises", "camera moves up"},
	},
	CameraJibDown: {
		gentle: "The camera lowers slightly.",
		normal: "The camera lowers on a jib, moving smoothly downward.",
		strong: "A pronounced jib down: the camera cranes steadily downward toward the ground.",
		avoid:  "static camera, camera moving up",
		cues:   []string{"jib down", "jib-down", "jibs down", "crane down", "cranes down", "pedestal down", "camera lowers", "camera moves down"},
	},
}

// Cameras lists the camera options in UI order. The slice is a copy.
// cameraLabel is the UI name of a camera choice, in lower case for sentences.
func cameraLabel(c Camera) string {
	for _, ci := range cameraOrder {
		if ci.ID == c {
			return strings.ToLower(ci.Label)
		}
	}
	return string(c)
}

func Cameras() []CameraInfo { return append([]CameraInfo(nil), cameraOrder...) }

func validCamera(c Camera) bool {
	for _, i := range cameraOrder {
		if i.ID == c {
			return true
		}
	}
	return false
}

// ResolveCamera turns "auto" into the motion the prompt asks for (the
// earliest cue in the text wins) or CameraNone; other choices are returned as
// they are. The UI can show the result next to the "Auto" choice.
func ResolveCamera(c Camera, prompt string) Camera {
	if c != CameraAuto {
		return c
	}
	lower := strings.ToLower(prompt)
	best, at := CameraNone, len(lower)+1
	for _, info := range cameraOrder {
		t, ok := cameraTexts[info.ID]
		if !ok {
			continue
		}
		for _, cue := range t.cues {
			if i := strings.Index(lower, cue); i >= 0 && i < at {
				best, at = info.ID, i
			}
		}
	}
	return best
}

// cameraWords is the wording a resolved motion adds at a strength: a sentence
// for the positive prompt and the motions to avoid for the negative one.
func cameraWords(c Camera, strength float64) (pos, neg string) {
	t, ok := cameraTexts[c]
	if !ok || strength <= 0 {
		return "", ""
	}
	pos = t.normal
	switch {
	case strength < 0.5:
		pos = t.gentle
	case strength >= 1.25:
		pos = t.strong
	}
	if strength >= 0.5 {
		neg = t.avoid
	}
	return pos, neg
}

func joinText(a, b, sep string) string {
	a = strings.TrimSpace(a)
	if a == "" {
		return b
	}
	if sep == " " && !strings.HasSuffix(a, ".") && !strings.HasSuffix(a, "!") && !strings.HasSuffix(a, "?") {
		a += "."
	}
	return a + sep + b
}
