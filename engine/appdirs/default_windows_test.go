//go:build windows

package appdirs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On Windows the defaults come from the Known Folders, which match the
// %APPDATA% / %LOCALAPPDATA% environment of a normal session.
func TestDefaultOnWindowsUsesAppDataAndLocalAppData(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", "")
	roaming, local := os.Getenv("APPDATA"), os.Getenv("LOCALAPPDATA")
	if roaming == "" || local == "" {
		t.Skip("APPDATA/LOCALAPPDATA not set in this session")
	}
	d := Default()
	if !strings.EqualFold(d.Config, filepath.Join(roaming, AppName)) {
		t.Errorf("Config = %s, want under %%APPDATA%% (%s)", d.Config, roaming)
	}
	for _, p := range []string{d.Data, d.Cache, d.State} {
		if !strings.HasPrefix(strings.ToLower(p), strings.ToLower(filepath.Join(local, AppName))+`\`) {
			t.Errorf("%s is not under %%LOCALAPPDATA%%\\%s (%s)", p, AppName, local)
		}
	}
	if filepath.Base(d.Videos) != VideosFolder || !filepath.IsAbs(d.Videos) {
		t.Errorf("Videos = %s, want an absolute …\\%s", d.Videos, VideosFolder)
	}
}
