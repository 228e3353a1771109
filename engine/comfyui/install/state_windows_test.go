package install

import (
	"os"
	"path/filepath"
	"testing"
)

// A Windows venv keeps its interpreter in Scripts\python.exe; the supervisor
// runs exactly that path, also under a user folder with spaces and accents.
func TestVenvPythonOnWindowsIsScriptsPythonExe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Zoë Ünal", "builds", "b 1")
	b := Build{Dir: dir}
	want := filepath.Join(dir, "venv", "Scripts", "python.exe")
	if got := b.PythonPath(); got != want {
		t.Fatalf("PythonPath = %s, want %s", got, want)
	}
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(want, []byte("MZ"), 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(b.PythonPath()); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the interpreter path does not reach the file: %v", err)
	}
}
