package studio_test

import (
	"slices"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Setup downloads the latest release for a new install, the saved choice
// otherwise, and 1.0 for an install that set up before the choice existed
// (it holds those files: no silent re-download).
func TestSetupWeights(t *testing.T) {
	fresh := settings.Defaults()
	old := fresh
	old.SetupDone = true
	chose := old
	chose.Weights = "1.1"
	for _, c := range []struct {
		set  settings.Settings
		want workflows.Weights
	}{{fresh, workflows.LatestWeights}, {old, workflows.Weights10}, {chose, workflows.Weights11}} {
		if got := studio.SetupWeights(c.set); got != c.want {
			t.Errorf("%+v: %s, want %s", c.set, got, c.want)
		}
	}
	refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V}, workflows.FP8, workflows.Weights11)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(refs, models.Ref{Folder: "loras", Name: "ltx-2.3-22b-distilled-lora-384-1.1.safetensors"}) ||
		slices.Contains(refs, models.Ref{Folder: "loras", Name: "ltx-2.3-22b-distilled-lora-384.safetensors"}) {
		t.Errorf("1.1 refs %v", refs)
	}
	for _, r := range refs {
		if _, ok := models.Lookup(r.Folder, r.Name); !ok {
			t.Errorf("%v is not in the registry", r)
		}
	}
}
