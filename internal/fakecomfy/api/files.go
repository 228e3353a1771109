package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// outputMP4 is what SaveVideo writes: a real, playable H.264/AAC MP4 (1 s,
// 320x192, 24 fps, test pattern and a 440 Hz tone; 9 KB) so players,
// probes and thumbnails downstream work on the stand-in's output. Made with
// ffmpeg -f lavfi -i testsrc=size=320x192:rate=24:duration=1 -f lavfi -i
// sine=frequency=440:sample_rate=48000:duration=1 -c:v libx264 -crf 40
// -pix_fmt yuv420p -c:a aac -b:a 32k -ac 1 -movflags +faststart.
//
//go:embed testdata/output.mp4
var outputMP4 []byte

// writeOutput saves the file of an output node and returns its UI dict.
func (s *Server) writeOutput(j *job, id string, n node) map[string]any {
	prefix := func(def string) string {
		var p string
		if json.Unmarshal(n.Inputs["filename_prefix"], &p) != nil || p == "" {
			p = def
		}
		return p
	}
	ext, key, def := outputKind(n.ClassType)
	switch key {
	case "":
		return nil
	case "text":
		return map[string]any{"text": []string{"fakecomfy"}}
	}
	sub, base := path.Split(prefix(def))
	sub = strings.TrimSuffix(sub, "/")
	dir := filepath.Join(s.opt.OutputDir, filepath.FromSlash(sub))
	var name string
	if j.magic["hostile"] {
		name = "../../hostile." + ext
	} else {
		_ = os.MkdirAll(dir, 0o755)
		for i := 1; ; i++ {
			name = fmt.Sprintf("%s_%05d_.%s", base, i, ext)
			if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) {
				break
			}
		}
		data := outputMP4
		if ext != "mp4" {
			data = []byte("fakecomfy " + ext + " " + j.id)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			s.opt.Logger.Error("write output", "err", err)
		}
	}
	ref := map[string]any{"filename": name, "subfolder": sub, "type": "output"}
	switch key {
	case "gifs":
		var format string
		_ = json.Unmarshal(n.Inputs["format"], &format)
		ref["format"], ref["frame_rate"] = format, 24.0
		ref["fullpath"] = filepath.Join(dir, name)
		return map[string]any{"gifs": []any{ref}}
	case "images":
		if ext == "mp4" {
			return map[string]any{"images": []any{ref}, "animated": []bool{true}}
		}
	}
	return map[string]any{key: []any{ref}}
}

// outputKind is what an output node class saves: extension, UI key and
// default prefix ("" key: nothing this stand-in writes).
func outputKind(class string) (ext, key, def string) {
	switch {
	case class == "VHS_VideoCombine":
		return "mp4", "gifs", "AnimateDiff"
	case class == "SaveVideo" || class == "SaveWEBM":
		return "mp4", "images", "video/ComfyUI"
	case strings.HasPrefix(class, "SaveAudio"):
		return "flac", "audio", "audio/ComfyUI"
	case class == "SaveImage":
		return "png", "images", "ComfyUI"
	case class == "PreviewAny":
		return "", "text", ""
	}
	return "", "", ""
}

func (s *Server) folder(typ string) string {
	switch typ {
	case "input":
		return s.opt.InputDir
	case "temp":
		return filepath.Join(filepath.Dir(s.opt.OutputDir), "temp")
	}
	return s.opt.OutputDir
}

// view serves a file like ComfyUI's /view: ".." or a leading "/" → 400, a
// subfolder outside the base → 403, missing → 404.
func (s *Server) view(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("filename")
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		http.Error(w, "400: Bad Request", http.StatusBadRequest)
		return
	}
	base, _ := filepath.Abs(s.folder(q.Get("type")))
	dir := filepath.Join(base, filepath.FromSlash(q.Get("subfolder")))
	if rel, err := filepath.Rel(base, dir); err != nil || strings.HasPrefix(rel, "..") {
		http.Error(w, "403: Forbidden", http.StatusForbidden)
		return
	}
	f, err := os.Open(filepath.Join(dir, filepath.Base(name)))
	if err != nil {
		http.Error(w, "404: Not Found", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.Error(w, "404: Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": st.Name()}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, st.Name(), st.ModTime(), f)
}

// upload mirrors /upload/image: same bytes under an existing name reuse it,
// different bytes get "name (1).ext".
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		http.Error(w, "400: Bad Request", http.StatusBadRequest)
		return
	}
	f, hdr, err := r.FormFile("image")
	if err != nil {
		http.Error(w, "400: Bad Request", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, "400: Bad Request", http.StatusBadRequest)
		return
	}
	typ := r.FormValue("type")
	if typ == "" {
		typ = "input"
	}
	sub := r.FormValue("subfolder")
	base, _ := filepath.Abs(s.folder(typ))
	dir := filepath.Join(base, filepath.FromSlash(sub))
	if rel, err := filepath.Rel(base, dir); err != nil || strings.HasPrefix(rel, "..") {
		http.Error(w, "400: Bad Request", http.StatusBadRequest)
		return
	}
	name := filepath.Base(hdr.Filename)
	overwrite := r.FormValue("overwrite") == "true" || r.FormValue("overwrite") == "1"
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; !overwrite; i++ {
		old, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || bytes.Equal(old, data) {
			break
		}
		name = fmt.Sprintf("%s (%d)%s", stem, i, ext)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": name, "subfolder": sub, "type": typ})
}
