package gpu

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDriverFoldersAreFullPathsSystem32First(t *testing.T) {
	got := driverFoldersFrom(`C:\Windows\System32`, `C:\Program Files`)
	want := []string{`C:\Windows\System32`, `C:\Program Files\NVIDIA Corporation\NVSMI`}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("driverFoldersFrom = %q, want %q", got, want)
	}
	for _, d := range driverFolders() {
		if !filepath.IsAbs(d) {
			t.Errorf("driver folder %q is not a full path: a bare DLL name would be searched for next to the .exe", d)
		}
	}
}

// Old drivers install nvidia-smi.exe in Program Files\NVIDIA Corporation\NVSMI
// without adding it to PATH; the meter and the setup checks must still find it.
func TestFindSMIFindsTheNVSMIFolderOffPath(t *testing.T) {
	if _, err := os.Stat(filepath.Join(systemDir(), "nvidia-smi.exe")); err == nil {
		t.Skip("this machine has nvidia-smi in System32, which wins")
	}
	pf := filepath.Join(t.TempDir(), "Program Files ü")
	smi := filepath.Join(pf, "NVIDIA Corporation", "NVSMI", "nvidia-smi.exe")
	if err := os.MkdirAll(filepath.Dir(smi), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(smi, []byte("MZ"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("ProgramFiles", pf)
	if got, err := FindSMI(); err != nil || got != smi {
		t.Fatalf("FindSMI = %q, %v; want %q", got, err, smi)
	}
	t.Setenv("ProgramFiles", t.TempDir())
	if got, err := FindSMI(); err != ErrNoNVIDIA {
		t.Fatalf("FindSMI without any nvidia-smi = %q, %v; want ErrNoNVIDIA", got, err)
	}
}
