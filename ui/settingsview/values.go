package settingsview

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func (v *View) fill(s settings.Settings, hasToken bool) {
	v.base = s
	for _, b := range backends {
		if b.kind == s.Backend {
			v.backend.SetSelected(b.label)
		}
	}
	v.managedDir.SetText(s.ManagedDir)
	v.folderPath.SetText(s.FolderPath)
	v.remoteURLs.SetText(strings.Join(s.RemoteURLs, "\n"))
	v.vram.ClearSelected()
	for _, m := range vramModes {
		if m.mode == s.VRAMMode {
			v.vram.SetSelected(m.label)
		}
	}
	v.reserve.SetText(strconv.FormatFloat(s.ReserveVRAMGiB, 'f', -1, 64))
	v.gpus.SetText(s.ChosenGPUs().String())
	v.hfCache.SetText(s.HFCache)
	v.outputDir.SetText(s.OutputDir)
	v.offline.SetChecked(s.Offline)
	v.notify.SetChecked(s.NotifyWhenDone)
	if s.Precision == workflows.BF16 {
		v.precision.SetSelected(precBF16)
	} else {
		v.precision.SetSelected(precFP8)
	}
	if s.ModelWeights() == workflows.Weights11 {
		v.weights.SetSelected(weights11)
	} else {
		v.weights.SetSelected(weights10)
	}
	// The token is write-only: never put it back into the entry.
	v.token.SetText("")
	v.shown, _ = v.collect()
	if hasToken {
		v.token.SetPlaceHolder("a token is saved; type a new one to replace it")
		v.removeToken.Show()
	} else {
		v.token.SetPlaceHolder("hf_…  (only for gated models)")
		v.removeToken.Hide()
	}
}

// collect turns the widgets into Settings, starting from the loaded value so
// fields this form does not show (chosen modes, setup state) survive.
func (v *View) collect() (settings.Settings, error) {
	s := v.base
	var errs []error
	for _, b := range backends {
		if b.label == v.backend.Selected {
			s.Backend = b.kind
		}
	}
	s.ManagedDir = strings.TrimSpace(v.managedDir.Text)
	s.FolderPath = strings.TrimSpace(v.folderPath.Text)
	s.RemoteURLs = nil
	for _, l := range strings.Split(v.remoteURLs.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			s.RemoteURLs = append(s.RemoteURLs, l)
		}
	}
	for _, m := range vramModes {
		if m.label == v.vram.Selected {
			s.VRAMMode = m.mode
		}
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(v.reserve.Text), 64)
	if err != nil {
		errs = append(errs, errors.New("VRAM to keep free must be a number of GiB, like 1.5"))
	}
	s.ReserveVRAMGiB = r
	// One managed ComfyUI per chosen GPU; the older single index is folded
	// into the list.
	g, err := settings.ParseGPUChoice(v.gpus.Text)
	if err != nil {
		errs = append(errs, err)
	}
	s.GPUs, s.GPUIndex = g, 0
	s.HFCache = strings.TrimSpace(v.hfCache.Text)
	s.OutputDir = strings.TrimSpace(v.outputDir.Text)
	s.Offline, s.NotifyWhenDone = v.offline.Checked, v.notify.Checked
	s.Precision = workflows.FP8
	if v.precision.Selected == precBF16 {
		s.Precision = workflows.BF16
	}
	s.Weights = workflows.Weights(v.weights.Selected)
	return s, errors.Join(errs...)
}

// errorText capitalises each joined error line for display.
func errorText(err error) string {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = strings.ToUpper(l[:1]) + l[1:]
		}
	}
	return strings.Join(lines, "\n")
}
