package workflows

import "testing"

// The registry carries everything a face needs for a mode (icon, CLI flags),
// so adding a mode is an edit here only: every slot names its CLI flag, and
// no mode has two slots on one flag.
func TestEverySlotNamesItsOwnFlag(t *testing.T) {
	for _, m := range Modes() {
		if m.Icon == "" || m.Tag == "" || m.Label == "" {
			t.Errorf("%s: icon %q, tag %q, label %q", m.ID, m.Icon, m.Tag, m.Label)
		}
		seen := map[string]string{}
		for _, s := range m.Slots {
			if s.Flag == "" {
				t.Errorf("%s: slot %s has no CLI flag", m.ID, s.ID)
			}
			if other, dup := seen[s.Flag]; dup {
				t.Errorf("%s: slots %s and %s share --%s", m.ID, other, s.ID, s.Flag)
			}
			seen[s.Flag] = s.ID
		}
	}
}

func TestArticle(t *testing.T) {
	for k, want := range map[MediaKind]string{MediaImage: "an image", MediaAudio: "an audio file", MediaVideo: "a video", "3d": "3d"} {
		if got := k.Article(); got != want {
			t.Errorf("%q.Article() = %q, want %q", k, got, want)
		}
	}
}
