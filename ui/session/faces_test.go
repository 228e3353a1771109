package session

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"github.com/ltxstudio/ltx-studio/internal/uitest"
	"github.com/ltxstudio/ltx-studio/models/hftest"
	"github.com/ltxstudio/ltx-studio/ui"
	"github.com/ltxstudio/ltx-studio/ui/cli"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// TestBothFacesRefuseTheSameBadMedia runs one table of bad media through the
// terminal's `generate` and the window's Generate: each face refuses each
// file with the studio's own words, before anything is queued or any model
// file is asked of the hub.
func TestBothFacesRefuseTheSameBadMedia(t *testing.T) {
	home := t.TempDir()
	hub := hftest.New(map[string]hftest.Repo{})
	defer hub.Close()
	for k, v := range map[string]string{"LTX_STUDIO_HOME": home, "HF_ENDPOINT": hub.URL(), "HF_HUB_CACHE": filepath.Join(home, "hub"),
		"HF_HUB_OFFLINE": "", "HF_TOKEN": "", "LTX_STUDIO_COMFYUI_URL": ""} {
		t.Setenv(k, v)
	}
	comfy := httptest.NewServer(api.New(api.Options{ObjectInfoPath: filepath.Join(recordings.ComfyUI(t), "object_info.json"),
		OutputDir: t.TempDir(), InputDir: t.TempDir()}))
	defer comfy.Close()

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.png", pngOf(t, 64, 64))
	bad := []struct{ name, path string }{
		{"missing", filepath.Join(dir, "gone.png")},
		{"a folder", dir},
		{"empty", write("empty.png", nil)},
		{"not media", write("notes.png", []byte("shopping list: eggs, milk\n"))},
		{"wrong kind", write("voice.png", wavBytes())},
		{"absurd size", write("huge.png", hugePNG(t))},
	}
	form := func(path string) workflows.Form {
		f := workflows.DefaultForm(workflows.I2V)
		f.Prompt = "it moves"
		f.Media["image"] = path
		return f
	}
	// The studio's words for each file: both faces must show them.
	want := map[string]string{}
	for _, b := range bad {
		var me *studio.MediaError
		if err := studio.AcceptForm(t.Context(), form(b.path)); !errors.As(err, &me) {
			t.Fatalf("%s: the studio accepts it (%v)", b.name, err)
		} else {
			want[b.name] = me.Err.Error()
		}
	}

	// The terminal face, before any window holds the data folder.
	for _, b := range bad {
		var out, errb bytes.Buffer
		code := cli.Run(t.Context(), cli.Env{Stdout: &out, Stderr: &errb}, []string{"generate", "--mode", "i2v", "--prompt", "it moves", "--image", b.path})
		t.Logf("CLI, %s: %s", b.name, strings.TrimSpace(errb.String()))
		if code == 0 || !strings.Contains(errb.String(), want[b.name]) || strings.Contains(out.String(), "job ") {
			t.Errorf("CLI, %s: exit %d, stdout %q, stderr %q; want the refusal %q", b.name, code, out.String(), errb.String(), want[b.name])
		}
	}

	// The window face, on a running queue whose ComfyUI shares the app's
	// model folder (so a form that got past the media would ask the hub).
	st, err := studio.Open(studio.Options{Server: &studio.Server{Name: "local", URL: comfy.URL, SharesModels: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// One UI goroutine, as in the real driver: the header's painter (the
	// studio's event stream) and the refusals never shape text at once.
	a := uitest.NewSerialApp(t)
	w := a.NewWindow("t")
	var s *Session
	fyne.DoAndWait(func() { s = New(t.Context(), st, Options{App: a, Win: w, Shell: ui.New(t.Context(), w, ui.Deps{})}) })
	t.Cleanup(s.waitFollowers) // after t.Context ends: nothing touches the window past the test
	for _, b := range bad {
		s.generate(form(b.path), studio.GenerateOptions{}) // Generate's body, on this goroutine
		if got := errorShown(s); !strings.Contains(got, want[b.name]) {
			t.Errorf("window, %s: shows %q; want the refusal %q", b.name, got, want[b.name])
		}
	}
	if reqs := hub.Requests(); len(reqs) != 0 {
		t.Errorf("the hub was asked for model files before the media were accepted: %v", reqs)
	}
	if q := st.QueuedJobs(); len(q) != 0 {
		t.Errorf("%d jobs queued from bad media", len(q))
	}
	// The control: a good image gets past the media, to the model check.
	s.generate(form(good), studio.GenerateOptions{})
	if len(hub.Requests()) == 0 && len(st.QueuedJobs()) == 0 {
		t.Error("a good image reached neither the model check nor the queue: the harness proves nothing")
	}
	t.Logf("the good image: %d hub requests, %d jobs queued; the window shows %q", len(hub.Requests()), len(st.QueuedJobs()), errorShown(s))
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugePNG is a small PNG whose header claims 60000×60000 pixels, the kind of
// file that costs gigabytes to decode.
func hugePNG(t *testing.T) []byte {
	b := pngOf(t, 8, 8)
	// IHDR data starts after the 8-byte signature, length and type.
	binary.BigEndian.PutUint32(b[16:], 60000)
	binary.BigEndian.PutUint32(b[20:], 60000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// wavBytes is one second of silent 8 kHz mono PCM: a real audio file.
func wavBytes() []byte {
	const rate, n = 8000, 8000
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))
	le(uint16(1))
	le(uint32(rate))
	le(uint32(rate))
	le(uint16(1))
	le(uint16(8))
	b.WriteString("data")
	le(uint32(n))
	b.Write(bytes.Repeat([]byte{128}, n))
	return b.Bytes()
}
