package face

import (
	"strings"
	"testing"
)

func TestRepairComfyUI(t *testing.T) {
	if got := Window.RepairComfyUI(); !strings.Contains(got, "Settings → Repair") || strings.Contains(got, "ltx-studio") {
		t.Errorf("window: %q", got)
	}
	if got := Terminal.RepairComfyUI(); !strings.Contains(got, "`ltx-studio comfyui repair`") || strings.Contains(got, "Settings") {
		t.Errorf("terminal: %q", got)
	}
	if got := SettingsKey("vram_mode", "/c/settings.json"); got != `"vram_mode" in /c/settings.json` {
		t.Errorf("settings key: %q", got)
	}
	if got := SettingsKey("vram_mode", ""); !strings.Contains(got, "settings.json") {
		t.Errorf("settings key without a file: %q", got)
	}
}
