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

// Every error Validate gives names a known field: one in FieldOrder, a media
// slot of the mode, or the mode itself, so the window can place each note.
func TestValidateNamesKnownFields(t *testing.T) {
	for _, m := range Modes() {
		f := DefaultForm(m.ID)
		f.Prompt, f.Width, f.FPS, f.Seed, f.RandomSeed = "", 7, 1000, -1, false
		f.Preset, f.Camera, f.Precision, f.Weights = "slow", "spin", "int4", "9"
		f.Media = map[string]string{"nope": "/x"}
		known := map[Field]bool{}
		for _, k := range FieldOrder() {
			if k.Label() == string(k) {
				t.Errorf("field %s has no label", k)
			}
			known[k] = true
		}
		for _, e := range f.Validate() {
			if slot, ok := e.Field.Slot(); ok {
				if MediaField(slot) != e.Field {
					t.Errorf("%s: media field %s does not round-trip", m.ID, e.Field)
				}
				continue
			}
			if !known[e.Field] {
				t.Errorf("%s: error on unknown field %q: %s", m.ID, e.Field, e.Msg)
			}
		}
	}
}
