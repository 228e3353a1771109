package studio

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ltxstudio/ltx-studio/workflows"
)

// ParseMode finds a mode by any of the names the workflows registry gives it:
// its id ("keyframe"), its header tag ("KEY") or the label the window shows
// ("Keyframes", "Text → Video", also typed as "text-video"), in any case.
// The window and the terminal therefore accept the same words, and no mode
// name is spelled anywhere but in the registry.
func ParseMode(name string) (workflows.Mode, error) {
	want := foldName(name)
	if want != "" {
		for _, m := range workflows.Modes() {
			for _, n := range []string{string(m.ID), m.Tag, m.Label} {
				if foldName(n) == want {
					return m, nil
				}
			}
		}
	}
	return workflows.Mode{}, fmt.Errorf("unknown mode %q; the modes are %s", name, ModeNames())
}

// ModeNames lists the modes as "t2v (Text → Video), …, keyframe (Keyframes)"
// for help texts and error messages.
func ModeNames() string {
	var parts []string
	for _, m := range workflows.Modes() {
		parts = append(parts, fmt.Sprintf("%s (%s)", m.ID, m.Label))
	}
	return strings.Join(parts, ", ")
}

// foldName keeps only letters and digits, lower-cased, so "Text → Video",
// "text-video" and "TEXT VIDEO" compare equal.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
