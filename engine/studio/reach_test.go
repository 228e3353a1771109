package studio

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
)

func TestCheckServerNamesWhatIsWrong(t *testing.T) {
	comfy := httptest.NewServer(api.New(api.Options{ObjectInfoPath: filepath.Join(recordings.ComfyUI(t), "object_info.json"),
		OutputDir: t.TempDir(), InputDir: t.TempDir()}))
	defer comfy.Close()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"hello":1}`)) }))
	defer web.Close()
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()

	info, err := CheckServer(t.Context(), comfy.URL+"/", Waits{})
	if err != nil || info.ComfyUIVersion == "" {
		t.Fatalf("the stand-in ComfyUI: %+v, %v", info, err)
	}
	for _, tt := range []struct{ url, want string }{
		{web.URL, "does not look like ComfyUI"},
		{missing.URL, "answered 404 to /api/system_stats"},
		{"http://user:secret@" + strings.TrimPrefix(missing.URL, "http://"), "answered 404"},
		{"ftp://x", "is not a server address"},
	} {
		_, err := CheckServer(t.Context(), tt.url, Waits{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v, want %q", tt.url, err, tt.want)
		}
	}
}
