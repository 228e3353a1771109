package jobs

import (
	"encoding/json"
	"os"
	"testing"
)

// With "Enhance prompt" the text the enhancer's PreviewAny reported (the
// history outputs' "text") reaches the job and its sidecar; the stand-in
// answers every PreviewAny with its own fixed text, as a real server answers
// with Gemma's.
func TestEnhancedPromptReachesJobAndSidecar(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	ch, stop := e.Subscribe()
	defer stop()
	run(t, e)
	f := form("a lighthouse at dusk")
	f.Enhance = true
	j, err := e.Submit(f)
	if err != nil {
		t.Fatal(err)
	}
	final := waitFor(t, e, ch, j.ID, finished)
	if final.State != Done || final.EnhancedPrompt != "fakecomfy" {
		t.Fatalf("state %s (%s), enhanced %q", final.State, final.Error, final.EnhancedPrompt)
	}
	var s Sidecar
	raw, err := os.ReadFile(final.Sidecar)
	if err != nil || json.Unmarshal(raw, &s) != nil {
		t.Fatalf("sidecar: %v", err)
	}
	if s.EnhancedPrompt != "fakecomfy" || s.Form.Prompt != "a lighthouse at dusk" || !s.Form.Enhance {
		t.Errorf("sidecar enhanced %q, form %+v", s.EnhancedPrompt, s.Form)
	}
	// Without it the field stays empty.
	plain, _ := e.Submit(form("a lighthouse at dawn"))
	if got := waitFor(t, e, ch, plain.ID, finished); got.EnhancedPrompt != "" {
		t.Errorf("not enhanced, yet %q", got.EnhancedPrompt)
	}
}
