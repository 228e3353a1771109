package player

import (
	"fmt"
	"time"
)

// sanitizeFPS is the frame rate the ticker runs at.
func sanitizeFPS(fps float64) float64 {
	if fps > 0 && fps <= 240 {
		return fps
	}
	return 24 // a broken probe must not stall or spin the ticker
}

func clock(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
