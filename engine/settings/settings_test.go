package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	st := Store{Dir: t.TempDir()}
	got, err := st.Load()
	if err != nil || !reflect.DeepEqual(got, Defaults()) {
		t.Fatalf("first load = %+v, %v; want defaults", got, err)
	}
	s := Defaults()
	s.Backend, s.RemoteURLs, s.VRAMMode, s.ReserveVRAMGiB = BackendRemote, []string{"http://gpu1:8188"}, VRAMLow, 2
	s.Offline, s.Precision, s.Modes = true, "bf16", []string{"t2v", "i2v"}
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
