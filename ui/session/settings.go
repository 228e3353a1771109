package session

// Settings saved in the Settings tab reach the forms and the engine here.

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/ui/errorview"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// usePrecision gives the forms the model precision setup downloaded and
// Settings names. UI goroutine.
func (s *Session) usePrecision(set settings.Settings) {
	if s.shell != nil && set.Precision != "" {
		s.shell.SetPrecision(workflows.Precision(set.Precision))
	}
	if s.shell != nil {
		s.shell.SetWeights(workflows.Weights(set.ModelWeights()))
	}
}

func (s *Session) settingsSaved(set settings.Settings) {
	s.usePrecision(set)
	go func() {
		s.st.UseSettings(s.ctx, set) // the Settings tab saved them through the studio
		if set.Offline {
			s.checkOffline(set)
		}
		fyne.Do(s.Begin) // Begin may build the setup flow: UI goroutine
	}()
}

// checkOffline says, as offline mode is saved, which model files the chosen
// modes still lack: offline, nothing can fetch them later.
func (s *Session) checkOffline(set settings.Settings) {
	var modes []workflows.ModeID
	for _, m := range set.Modes {
		modes = append(modes, workflows.ModeID(m))
	}
	refs, err := studio.RefsFor(modes, workflows.Precision(set.Precision), workflows.Weights(set.ModelWeights()))
	if err != nil || len(refs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	p, err := s.st.Plan(ctx, refs)
	if err != nil || p.Complete() {
		return
	}
	n := 0
	for _, f := range p.Files {
		if !f.Present {
			n++
		}
	}
	s.showMessage(errorview.Message{What: fmt.Sprintf("Offline mode is on, but %d model files your modes need are not on this computer.", n),
		Do: "Turn offline mode off in Settings to download them (or copy them into the model cache); generating needs them."})
}

// settingsStore is the Settings tab's store: it reads the file, and every
// write goes through the studio, the settings' one writer.
type settingsStore struct{ st *studio.Studio }

func (a settingsStore) Load() (settings.Settings, error) { return a.st.SettingsStore().Load() }
func (a settingsStore) Save(set settings.Settings) error { return a.st.SaveSettings(set) }
func (a settingsStore) Token() string                    { return a.st.SettingsStore().Token() }
func (a settingsStore) SetToken(tok string) error        { return a.st.SetToken(tok) }
