package settings

import "testing"

// An install that never chose a release keeps the 1.0 files it has; a saved
// choice wins; anything else is refused with the allowed values.
func TestModelWeights(t *testing.T) {
	s := Defaults()
	if s.ModelWeights() != "1.0" {
		t.Errorf("never chosen: %q", s.ModelWeights())
	}
	s.Weights = "1.1"
	if s.ModelWeights() != "1.1" || s.Validate() != nil {
		t.Errorf("1.1: %q %v", s.ModelWeights(), s.Validate())
	}
	s.Weights = "2"
	if err := s.Validate(); err == nil {
		t.Error("unknown release accepted")
	}
}
