package workflows

import "strings"

// Field names a form field: the key of FieldError and of the faces' notes,
// so the engine's checks and the window's notes meet on one spelling.
type Field string

// The form's fields. A media slot's field is MediaField(slot).
const (
	FieldMode           Field = "mode"
	FieldPrompt         Field = "prompt"
	FieldNegative       Field = "negative"
	FieldWidth          Field = "width"
	FieldHeight         Field = "height"
	FieldSeconds        Field = "seconds"
	FieldFPS            Field = "fps"
	FieldSeed           Field = "seed"
	FieldPreset         Field = "preset"
	FieldCamera         Field = "camera"
	FieldCameraStrength Field = "camera_strength"
	FieldPrecision      Field = "precision"
	FieldWeights        Field = "weights"
	// FieldModels is a model file the backend lacks (no control of its own).
	FieldModels Field = "models"
)

const mediaFieldPrefix = "media."

// MediaField is the field of a media slot ("media.image").
func MediaField(slot string) Field { return Field(mediaFieldPrefix + slot) }

// Slot is the slot ID of a media field; ok is false for other fields.
func (f Field) Slot() (slot string, ok bool) { return strings.CutPrefix(string(f), mediaFieldPrefix) }

// FieldOrder lists the fields (without media, which come first, in the
// mode's slot order) in the order a person meets them on the form.
func FieldOrder() []Field {
	return []Field{FieldPrompt, FieldWidth, FieldHeight, FieldSeconds, FieldFPS, FieldSeed, FieldPreset,
		FieldCamera, FieldCameraStrength, FieldNegative, FieldPrecision, FieldWeights}
}

// Label is the field as the window names it ("Frame rate"); a media field
// is named by its slot's label in the mode, which the caller knows.
func (f Field) Label() string {
	switch f {
	case FieldMode:
		return "Mode"
	case FieldPrompt:
		return "Prompt"
	case FieldNegative:
		return "Negative prompt"
	case FieldWidth:
		return "Width"
	case FieldHeight:
		return "Height"
	case FieldSeconds:
		return "Duration"
	case FieldFPS:
		return "Frame rate"
	case FieldSeed:
		return "Seed"
	case FieldPreset:
		return "Preset"
	case FieldCamera:
		return "Camera"
	case FieldCameraStrength:
		return "Camera strength"
	case FieldPrecision:
		return "Precision"
	case FieldWeights:
		return "LTX-2.3 weights"
	case FieldModels:
		return "Model files"
	}
	return string(f)
}
