//go:build unix

package gpu

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestListFromNvidiaSMI(t *testing.T) {
	dir := fakeSMI(t, `echo "0, NVIDIA H200, 10767, 143771, 0"
echo "1, NVIDIA RTX 4090, 20000, 24564, [N/A]"
`)
	devs, err := Lister{SMIPath: filepath.Join(dir, "nvidia-smi"), NoNVML: true}.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 || devs[1].Index != 1 || devs[1].Name != "NVIDIA RTX 4090" || devs[1].FreeMiB() != 4564 || devs[0].TotalBytes() != 143771<<20 {
		t.Errorf("devices %+v", devs)
	}
}

func TestListWithoutDriverSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Lister{NoNVML: true}.List(t.Context())
	if !errors.Is(err, ErrNoNVIDIA) {
		t.Errorf("err %v, want ErrNoNVIDIA", err)
	}
	dir := fakeSMI(t, `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." ; exit 9`)
	if _, err := (Lister{SMIPath: filepath.Join(dir, "nvidia-smi"), NoNVML: true}).List(t.Context()); err == nil {
		t.Error("a failing nvidia-smi listed GPUs")
	}
}
