// Package api is the HTTP + WebSocket half of the ComfyUI stand-in used by
// tests: it answers like the real server recorded in ../shared/comfyui/. It
// validates prompts against a recorded object_info.json, runs them as a
// scripted simulation (events shaped like the recordings, a small output
// file per output node) and can be told to misbehave by magic strings in
// any string input of a prompt:
//
//	fakecomfy:fail     execution_error (damaged model file) at the first loader
//	fakecomfy:oom      execution_error torch.OutOfMemoryError at the first sampler
//	fakecomfy:slow     40 sampler steps of 25 ms, long enough to interrupt
//	fakecomfy:die      call Options.Die at the first sampler step (process exit)
//	fakecomfy:hostile  report an output file named "../../hostile.mp4"
//	fakecomfy:preview  send a JPEG preview frame per sampler step (code 4 to
//	                   clients that asked for metadata, else code 1)
//	fakecomfy:drop     close every WebSocket at the first sampler step and
//	                   finish the job anyway (events are lost, history is not)
package api

import (
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tidwall/sjson"
)

//go:embed testdata/system_stats.json
var systemStats []byte

// Options configure the stand-in server.
type Options struct {
	// Argv is reported in system_stats like the real server reports its command line.
	Argv []string
	// OutputDir is ComfyUI's --output-directory; InputDir its --input-directory.
	OutputDir, InputDir string
	// ObjectInfo is a recorded /api/object_info body; ObjectInfoPath names a
	// file holding one. With neither, only the output-node check runs.
	ObjectInfo     []byte
	ObjectInfoPath string
	// Steps is the number of progress steps a sampler node reports when its
	// inputs name none (default 3); StepDelay is the time per step.
	Steps     int
	StepDelay time.Duration
	// Die is called when a prompt asks the server to die mid-job (the main
	// program exits the process; tests close their listener).
	Die func()
	// Logger gets one line per request kind of interest (default: discard).
	Logger *slog.Logger
	// VRAMTotal and VRAMOther (bytes), when VRAMTotal is set, make
	// system_stats describe a GPU of that size with VRAMOther held by other
	// processes: two stand-ins then look like two different GPUs.
	VRAMTotal, VRAMOther int64
}

// Server is the stand-in. It is an http.Handler.
type Server struct {
	opt  Options
	info map[string]nodeInfo
	mux  *http.ServeMux

	mu       sync.Mutex
	counter  int
	pending  []*job
	running  *job
	working  bool
	history  map[string]json.RawMessage
	order    []string // history ids, oldest first
	sockets  map[string]*sock
	frees    int
	dead     bool
	loadedGB int64 // what "torch" holds, reported in system_stats
}

// New returns the stand-in's HTTP handler. A broken object_info is reported
// by every POST /api/prompt as a 500 rather than by a panic here.
func New(opt Options) *Server {
	if opt.Steps <= 0 {
		opt.Steps = 3
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opt: opt, history: map[string]json.RawMessage{}, sockets: map[string]*sock{}}
	info, err := loadObjectInfo(opt)
	if err != nil {
		opt.Logger.Error("object_info", "err", err)
	}
	s.info = info
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/system_stats", s.systemStats)
	mux.HandleFunc("POST /api/prompt", s.postPrompt)
	mux.HandleFunc("GET /api/prompt", s.getPrompt)
	mux.HandleFunc("GET /api/queue", s.getQueue)
	mux.HandleFunc("POST /api/queue", s.postQueue)
	mux.HandleFunc("POST /api/interrupt", s.interrupt)
	mux.HandleFunc("POST /api/free", s.free)
	mux.HandleFunc("GET /api/history", s.getHistory)
	mux.HandleFunc("GET /api/history/{id}", s.getHistoryOne)
	mux.HandleFunc("GET /api/view", s.view)
	mux.HandleFunc("POST /api/upload/image", s.upload)
	mux.HandleFunc("GET /ws", s.ws)
	mux.HandleFunc("GET /api/ws", s.ws)
	s.mux = mux
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Frees counts POST /api/free calls (tests check models stay loaded).
func (s *Server) Frees() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frees
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) systemStats(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	gb := s.loadedGB
	s.mu.Unlock()
	body := systemStats
	if s.opt.Argv != nil {
		body, _ = sjson.SetBytes(body, "system.argv", s.opt.Argv)
	}
	if s.opt.VRAMTotal > 0 {
		body, _ = sjson.SetBytes(body, "devices.0.vram_total", s.opt.VRAMTotal)
		body, _ = sjson.SetBytes(body, "devices.0.vram_free", max(s.opt.VRAMTotal-s.opt.VRAMOther, 0))
	}
	if gb > 0 {
		total := gjsonInt(body, "devices.0.vram_total") - s.opt.VRAMOther
		body, _ = sjson.SetBytes(body, "devices.0.torch_vram_total", gb<<30)
		body, _ = sjson.SetBytes(body, "devices.0.torch_vram_free", int64(1)<<30)
		body, _ = sjson.SetBytes(body, "devices.0.vram_free", max(total-(gb<<30)-(1<<30), 0))
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func (s *Server) free(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Unload bool `json:"unload_models"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	s.frees++
	if req.Unload {
		s.loadedGB = 0
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
