package lifecycle

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// AppMetadata is the part of FyneApp.toml that names the release.
type AppMetadata struct {
	Details struct {
		Name    string
		ID      string
		Version string
		Build   int
	}
}

// ParseAppMetadata reads FyneApp.toml (embedded in the binary, so the
// version printed is the one `fyne package` stamped).
func ParseAppMetadata(data []byte) (AppMetadata, error) {
	var m AppMetadata
	if _, err := toml.Decode(string(data), &m); err != nil {
		return m, fmt.Errorf("reading FyneApp.toml: %w", err)
	}
	if m.Details.Version == "" {
		return m, fmt.Errorf("reading FyneApp.toml: no [Details] Version")
	}
	return m, nil
}

// VersionText is what `ltx-studio --version` prints: the app's name,
// version and build, then the ComfyUI commit it installs.
func VersionText(m AppMetadata, comfyCommit string) string {
	return fmt.Sprintf("%s %s (build %d)\nComfyUI %s (pinned)\n",
		m.Details.Name, m.Details.Version, m.Details.Build, comfyCommit)
}
