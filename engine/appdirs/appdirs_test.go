package appdirs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWindowsLayoutKeepsSettingsRoamingAndBulkLocal(t *testing.T) {
	roaming := filepath.Join("C:", "Users", "Ana Sá", "AppData", "Roaming")
	local := filepath.Join("C:", "Users", "Ana Sá", "AppData", "Local")
	videos := filepath.Join("C:", "Users", "Ana Sá", "Videos", VideosFolder)
	d := WindowsLayout(roaming, local, videos)
	want := Dirs{
		Config: filepath.Join(roaming, AppName),
		Data:   filepath.Join(local, AppName, "data"),
		Cache:  filepath.Join(local, AppName, "cache"),
		State:  filepath.Join(local, AppName, "state"),
		Videos: videos,
	}
	if d != want {
		t.Fatalf("WindowsLayout =\n%+v\nwant\n%+v", d, want)
	}
	seen := map[string]string{}
	for kind, p := range map[string]string{"config": d.Config, "data": d.Data, "cache": d.Cache, "state": d.State} {
		if other, dup := seen[p]; dup {
			t.Fatalf("%s and %s share %s", kind, other, p)
		}
		seen[p] = kind
	}
}

func TestXDGLayoutPutsTheAppFolderUnderEachBase(t *testing.T) {
	f := filepath.FromSlash
	d := XDGLayout(f("/h/.config"), f("/h/.local/share"), f("/h/.cache"), f("/h/.local/state"), f("/h/Videos/LTX Studio"))
	want := Dirs{Config: f("/h/.config/ltx-studio"), Data: f("/h/.local/share/ltx-studio"), Cache: f("/h/.cache/ltx-studio"),
		State: f("/h/.local/state/ltx-studio"), Videos: f("/h/Videos/LTX Studio")}
	if d != want {
		t.Fatalf("XDGLayout =\n%+v\nwant\n%+v", d, want)
	}
}

func TestHomeOverridePutsEverythingInOneFolder(t *testing.T) {
	root := t.TempDir()
	t.Setenv("LTX_STUDIO_HOME", root)
	if d := Default(); d != Under(root) {
		t.Fatalf("Default with LTX_STUDIO_HOME = %+v, want %+v", d, Under(root))
	}
}

// A home folder with spaces and non-ASCII letters (and a CJK app folder) must
// work end to end: every folder is created, and files round-trip by name.
func TestEnsureWorksUnderSpacesAndNonASCII(t *testing.T) {
	d := Under(filepath.Join(t.TempDir(), "Jérôme Müller", "LTX 工作室 ñ"))
	if err := d.Ensure(); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	for _, dir := range []string{d.Config, d.Data, d.Cache, d.State, d.Videos} {
		p := filepath.Join(dir, "größe 1.json")
		if err := os.WriteFile(p, []byte(dir), 0o600); err != nil {
			t.Fatalf("write in %s: %v", dir, err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 1 || entries[0].Name() != "größe 1.json" {
			t.Fatalf("listing %s = %v, %v; want the one file by its exact name", dir, entries, err)
		}
	}
}
