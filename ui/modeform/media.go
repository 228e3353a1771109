package modeform

import (
	"strconv"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func (f *Form) newSlot(def workflows.MediaSlot) *slot {
	var s *slot
	s = newSlot(def, f.relayout, func() {
		if f.cfg.PickFile == nil {
			return
		}
		f.cfg.PickFile(def.Kind, func(path string) {
			if path != "" {
				f.SetFile(def.ID, path)
			}
		})
	}, func() { f.clearSlot(s) })
	return s
}

func (f *Form) slotByID(id string) *slot {
	for _, s := range f.slots {
		if s.def.ID == id {
			return s
		}
	}
	return nil
}

// SetFile puts path into a slot and checks it by content in the background.
func (f *Form) SetFile(slotID, path string) {
	s := f.slotByID(slotID)
	if s == nil {
		return
	}
	f.probe(path, func(info MediaInfo, err error) { f.accept(s, path, info, err) }, s)
}

// probe runs the Prober off the UI goroutine and delivers on it. target, when
// set, shows "Checking…" meanwhile and ignores a result that a newer file
// has overtaken.
func (f *Form) probe(path string, done func(MediaInfo, error), target *slot) {
	gen := 0
	if target != nil {
		target.gen++
		gen = target.gen
		f.setMedia(target, Media{Path: path, Probing: true})
	}
	probe := f.cfg.Probe
	f.cfg.Go(func() {
		var (
			info MediaInfo
			err  error
		)
		if probe == nil {
			err = errNoProber
		} else {
			info, err = probe(f.ctx, path)
		}
		fyne.Do(func() {
			if target != nil && target.gen != gen {
				return
			}
			done(info, err)
		})
	})
}

// accept stores a probe result in slot s, with the field error when the file
// is not what the slot takes, and fills in the duration from audio or video
// and the frame rate from a source video (style takes its frames one to one).
func (f *Form) accept(s *slot, path string, info MediaInfo, err error) {
	md := Media{Path: path, Info: info, Err: CheckMedia(s.def, info, err)}
	if md.Err == "" && f.mode.FPSFrom == s.def.ID && info.FPS > 0 {
		f.fps.SetText(strconv.Itoa(DefaultFPS(info.FPS)))
	}
	if md.Err == "" && f.mode.FPSFrom == s.def.ID && info.Width > 0 && info.Height > 0 {
		// The output keeps the source's shape (a portrait clip stays portrait)
		// at the form's current long side.
		cw, _ := strconv.Atoi(f.width.Text)
		ch, _ := strconv.Atoi(f.height.Text)
		w, h := workflows.FitAspect(info.Width, info.Height, max(cw, ch), f.mode.SizeMultiple())
		f.width.SetText(strconv.Itoa(w))
		f.height.SetText(strconv.Itoa(h))
	}
	if md.Err == "" && f.mode.DurationFrom == s.def.ID && info.Duration > 0 {
		secs := DefaultSeconds(info.Duration)
		if fps, err := strconv.Atoi(f.fps.Text); err == nil && f.mode.FramesWithin {
			secs = SourceSeconds(info, fps) // never past the source's last frame
		}
		f.seconds.SetText(FormatSeconds(secs))
	}
	f.setMedia(s, md)
}

func (f *Form) setMedia(s *slot, md Media) {
	f.media[s.def.ID] = md
	s.state = md
	s.show()
	f.update()
}

func (f *Form) clearSlot(s *slot) {
	s.gen++
	delete(f.media, s.def.ID)
	s.state = Media{}
	s.show()
	f.update()
}

// Drop routes files dropped on the window: onto the slot under the pointer,
// else each into the first slot of its kind (empty slots first). A file that
// fits no slot is reported on the slot under the pointer or the first one.
func (f *Form) Drop(pos fyne.Position, paths []string) {
	if len(f.slots) == 0 {
		return
	}
	for _, s := range f.slots {
		if s.contains(pos) && len(paths) > 0 {
			f.SetFile(s.def.ID, paths[0])
			paths = paths[1:]
			break
		}
	}
	for _, p := range paths {
		p := p
		f.probe(p, func(info MediaInfo, err error) {
			s := f.slotFor(info.Kind)
			if err != nil || s == nil {
				s = f.slots[0]
			}
			s.gen++ // a drop overrides a pending pick
			f.accept(s, p, info, err)
		}, nil)
	}
}

// slotFor picks the slot for a file of kind k: an empty one first.
func (f *Form) slotFor(k workflows.MediaKind) *slot {
	var first *slot
	for _, s := range f.slots {
		if s.def.Kind != k {
			continue
		}
		if f.media[s.def.ID].Path == "" {
			return s
		}
		if first == nil {
			first = s
		}
	}
	return first
}
