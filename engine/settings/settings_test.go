package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestRoundTrip(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	got, err := st.Load()
	if err != nil || !reflect.DeepEqual(got, Defaults()) {
		t.Fatalf("first load = %+v, %v; want defaults", got, err)
	}
	s := Defaults()
	s.Backend, s.RemoteURLs, s.VRAMMode, s.ReserveVRAMGiB = BackendRemote, []string{"http://gpu1:8188"}, VRAMLow, 2
	s.Offline, s.Precision, s.Modes = true, workflows.BF16, []workflows.ModeID{workflows.T2V, workflows.I2V}
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err = st.Load()
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("reloaded %+v, %v; want %+v", got, err, s)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Settings)
		want string
	}{
		{"remote without urls", func(s *Settings) { s.Backend = BackendRemote }, "add at least one"},
		{"bad url", func(s *Settings) { s.Backend, s.RemoteURLs = BackendRemote, []string{"gpu1:8188"} }, "must start with http"},
		{"folder missing", func(s *Settings) { s.Backend = BackendFolder }, "choose the ComfyUI folder"},
		{"reserve", func(s *Settings) { s.ReserveVRAMGiB = -1 }, "VRAM reserve"},
		{"precision", func(s *Settings) { s.Precision = "fp4" }, "fp8 or bf16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Defaults()
			c.edit(&s)
			err := Store{Dir: t.TempDir()}.Save(s)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Save error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestTokenIsPrivateAndSeparate(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	if err := st.SetToken(" hf_secret \n"); err != nil {
		t.Fatal(err)
	}
	if st.Token() != "hf_secret" {
		t.Fatalf("token = %q", st.Token())
	}
	fi, err := os.Stat(filepath.Join(st.Dir, "hf_token"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode = %v, %v", fi.Mode(), err)
	}
	if err := st.Save(Defaults()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(st.Dir, "settings.json"))
	if strings.Contains(string(b), "hf_secret") {
		t.Fatal("token leaked into settings.json")
	}
	if err := st.SetToken(""); err != nil || st.Token() != "" {
		t.Fatalf("clearing token: %v, %q", err, st.Token())
	}
}

func TestDamagedFileFallsBackWithMessage(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	os.WriteFile(filepath.Join(st.Dir, "settings.json"), []byte("{not json"), 0o600)
	s, err := st.Load()
	if err == nil || !strings.Contains(err.Error(), "damaged") || !reflect.DeepEqual(s, Defaults()) {
		t.Fatalf("got %+v, %v", s, err)
	}
}

func TestGPUChoice(t *testing.T) {
	for _, c := range []struct {
		in, want string
		bad      bool
	}{{"", "all", false}, {"All", "all", false}, {"0, 2", "0,2", false}, {"1 1,3", "1,3", false}, {"-1", "", true}, {"gpu0", "", true}} {
		g, err := ParseGPUChoice(c.in)
		if (err != nil) != c.bad || (!c.bad && g.String() != c.want) {
			t.Errorf("%q: %v %v, want %q (bad %v)", c.in, g, err, c.want, c.bad)
		}
	}
	s := Defaults()
	if s.ChosenGPUs() != nil {
		t.Error("defaults must choose automatically")
	}
	s.GPUIndex = 2
	if got := s.ChosenGPUs().String(); got != "2" {
		t.Errorf("an older single GPU index reads as %q", got)
	}
	s.GPUs = GPUChoice{1, 1}
	if s.Validate() == nil {
		t.Error("a repeated GPU is accepted")
	}
	st := Store{Dir: t.TempDir()}
	s.GPUs = GPUChoice{0, 1}
	if err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	if back, _ := st.Load(); back.ChosenGPUs().String() != "0,1" {
		t.Errorf("saved 0,1, loaded %v", back.GPUs)
	}
}
