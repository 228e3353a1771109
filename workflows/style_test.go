package workflows

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// The union IC-LoRA reads the control video at half size, so Style refuses
// sizes that are multiples of 32 but not of 64 (they failed at run time),
// with a message that says why and what the nearest good size is.
func TestStyleNeedsMultiplesOf64(t *testing.T) {
	for _, sz := range [][2]int{{832, 480}, {960, 544}, {1216, 736}} {
		f := sampleForm(Style)
		f.Width, f.Height = sz[0], sz[1]
		_, err := Build(f, BuildOptions{})
		if err == nil {
			t.Fatalf("%dx%d was accepted", sz[0], sz[1])
		}
		if !strings.Contains(err.Error(), "multiple of 64") || !strings.Contains(err.Error(), "half size") {
			t.Errorf("%dx%d: %v", sz[0], sz[1], err)
		}
	}
	full, _ := recordedSchema(t)
	for _, sz := range [][2]int{{832, 448}, {960, 576}, {1216, 704}, {768, 512}, {1920, 1088}} {
		f := sampleForm(Style)
		f.Width, f.Height = sz[0], sz[1]
		p := mustBuild(t, f, BuildOptions{})
		if err := Validate(p.JSON, full, nil); err != nil {
			t.Errorf("%dx%d: %v", sz[0], sz[1], err)
		}
		if w := gjson.GetBytes(p.JSON, "latent1.inputs.width").Int(); w != int64(sz[0]) || (w/32)%2 != 0 {
			t.Errorf("%dx%d: latent width %d does not divide by the IC-LoRA's factor 2", sz[0], sz[1], w)
		}
	}
}

// Without a styled first frame the graph bypasses it: no LoadImage, and the
// guide sits on the empty latent. With one, it is written into frame 0 at
// full strength.
func TestStyledFirstFrameIsOptional(t *testing.T) {
	full, _ := recordedSchema(t)
	for _, p := range Presets() {
		f := sampleForm(Style)
		f.Preset, f.Enhance = p.ID, p.ID == Quality // the enhancer must not revive the bypassed frame
		delete(f.Media, "style")
		if errs := f.Validate(); len(errs) != 0 {
			t.Fatalf("%s: empty styled first frame refused: %v", p.ID, errs)
		}
		pr := mustBuild(t, f, BuildOptions{})
		if err := Validate(pr.JSON, full, nil); err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		for _, id := range []string{"simg", "sscale", "sprep", "i2v1"} {
			if gjson.GetBytes(pr.JSON, id).Exists() {
				t.Errorf("%s: %s left in the graph without a first frame", p.ID, id)
			}
		}
		if got := gjson.GetBytes(pr.JSON, "guide1.inputs.latent.0").String(); got != "latent1" {
			t.Errorf("%s: guide latent from %q, want latent1", p.ID, got)
		}
		with := mustBuild(t, sampleForm(Style), BuildOptions{})
		if gjson.GetBytes(with.JSON, "i2v1.inputs.strength").Float() != 1 || gjson.GetBytes(with.JSON, "guide1.inputs.latent.0").String() != "i2v1" {
			t.Errorf("%s: a given first frame is not written into frame 0", p.ID)
		}
	}
	m, _ := Lookup(Style)
	i := slices.IndexFunc(m.Slots, func(s MediaSlot) bool { return s.ID == "style" })
	if i < 0 || !m.Slots[i].Optional || !strings.Contains(m.Slots[i].Label, "first frame") {
		t.Errorf("style slot is not an optional, labelled first frame: %+v", m.Slots)
	}
}

// Style renders the nearest 8n+1 frames like every mode; the slice asks for
// half a frame more than the clip so the source yields all of them, and
// SourceFrames gives the longest clip a source can guide (the form and the
// CLI default to it and refuse more: the guide never ends before the video).
func TestStyleGuideNeverEndsBeforeTheVideo(t *testing.T) {
	for _, c := range []struct {
		seconds float64
		fps     int
	}{{4.84, 25}, {5, 24}, {3.003, 30}, {10, 60}, {7.5, 30}, {0.7, 24}} {
		f := sampleForm(Style)
		f.Seconds, f.FPS = c.seconds, c.fps
		p := mustBuild(t, f, BuildOptions{})
		frames := int(gjson.GetBytes(p.JSON, "vframes.inputs.length").Int())
		slice := gjson.GetBytes(p.JSON, "vslice.inputs.duration").Float()
		if frames != p.Frames || frames != Frames(c.seconds, c.fps) {
			t.Fatalf("%v: %d guide frames for %d video frames", c, frames, p.Frames)
		}
		if slice*float64(c.fps) < float64(frames) || slice*float64(c.fps) > float64(frames)+1 {
			t.Errorf("%v: slice %.3f s for %d frames", c, slice, frames)
		}
		for _, in := range []string{"cond.inputs.frame_rate", "create.inputs.fps", "alat.inputs.frame_rate"} {
			if got := gjson.GetBytes(p.JSON, in).Float(); math.Abs(got-float64(c.fps)) > 0 {
				t.Errorf("%v: %s = %v", c, in, got)
			}
		}
	}
	for have, want := range map[int]int{121: 121, 120: 113, 104: 97, 9: 9, 3: 9, 130: 129} {
		got := SourceFrames(have)
		if got != want {
			t.Errorf("SourceFrames(%d) = %d, want %d", have, got, want)
		}
		// A clip of that length at 25 fps asks for exactly those frames.
		if Frames(float64(got)/25, 25) != got {
			t.Errorf("SourceFrames(%d) = %d is not a clip length Frames keeps", have, got)
		}
	}
}

// The control video carries the camera: Style offers no motion wording.
func TestStyleKeepsTheSourceCamera(t *testing.T) {
	f := sampleForm(Style)
	f.Camera = CameraDollyIn
	if _, err := Build(f, BuildOptions{}); err == nil || !strings.Contains(err.Error(), "camera motion") {
		t.Errorf("dolly in accepted for style: %v", err)
	}
	f.Camera = CameraAuto
	f.Prompt += " The camera slowly dollies in."
	p := mustBuild(t, f, BuildOptions{})
	if p.Camera != CameraNone || strings.Contains(gjson.GetBytes(p.JSON, "neg.inputs.text").String(), "dolly") {
		t.Errorf("auto camera added wording in style: %s / %q", p.Camera, gjson.GetBytes(p.JSON, "neg.inputs.text").String())
	}
	if DefaultForm(Style).Camera != CameraNone {
		t.Error("style defaults to a camera motion")
	}
}

// i2v and lipsync follow the current official templates: LTXVPreprocess 18
// and the start image at 0.7 in stage 1, 1.0 again after the upscale.
func TestImageConditioningFollowsTemplates(t *testing.T) {
	for _, id := range []ModeID{I2V, Lipsync} {
		for _, p := range Presets() {
			f := sampleForm(id)
			f.Preset = p.ID
			pr := mustBuild(t, f, BuildOptions{})
			get := func(path string) float64 { return gjson.GetBytes(pr.JSON, path).Float() }
			if get("imgprep.inputs.img_compression") != 18 || get("i2v1.inputs.strength") != 0.7 || get("i2v2.inputs.strength") != 1 {
				t.Errorf("%s/%s: preprocess %v, strengths %v / %v", id, p.ID, get("imgprep.inputs.img_compression"),
					get("i2v1.inputs.strength"), get("i2v2.inputs.strength"))
			}
		}
	}
}

// A source video's shape carries over to the clip (FitAspect), on the mode's
// size grid.
func TestFitAspect(t *testing.T) {
	for _, c := range []struct{ w, h, long, mult, ww, wh int }{
		{1920, 1080, 1280, 64, 1280, 704}, {1080, 1920, 1280, 64, 704, 1280},
		{640, 480, 1280, 64, 1280, 960}, {1000, 1000, 768, 64, 768, 768}, {4000, 100, 1280, 64, 1280, 256},
		{1920, 1080, 0, 64, 1280, 704},
	} {
		if w, h := FitAspect(c.w, c.h, c.long, c.mult); w != c.ww || h != c.wh {
			t.Errorf("%dx%d at %d: %dx%d, want %dx%d", c.w, c.h, c.long, w, h, c.ww, c.wh)
		}
	}
}
