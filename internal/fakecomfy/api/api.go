// Package api is the HTTP + WebSocket half of the ComfyUI stand-in used by
// tests: it answers like the real server recorded in ../shared/comfyui/.
package api

import (
	_ "embed"
	"net/http"
)

//go:embed testdata/system_stats.json
var systemStats []byte

// Options configure the stand-in server.
type Options struct {
	// Argv is reported in system_stats like the real server reports its command line.
	Argv []string
	// OutputDir is ComfyUI's --output-directory; InputDir its --input-directory.
	OutputDir, InputDir string
}

// New returns the stand-in's HTTP handler. The jobs work extends it with
// /api/prompt, /ws, /api/history, /api/view, … following the recordings.
func New(opt Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/system_stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(systemStats)
	})
	return mux
}
