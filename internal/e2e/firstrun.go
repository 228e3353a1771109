package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/models"
)

// ExistingDir is the "existing ComfyUI" of a world built with
// Options.Existing: a ComfyUI folder the user had before the app, holding
// some of the registry's files (LTX_COMFYUI_DIRS points the app at it).
const ExistingDir = "existing-comfyui"

// writeExisting puts the given registry files into DIR/existing-comfyui/
// models/<folder>/<name> with the bytes the hub serves for them; bad files
// get the same size but other bytes (a damaged copy, to be refused).
func writeExisting(dir string, reg models.Registry, good, bad []models.Ref) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	put := func(r models.Ref, damage bool) error {
		f, ok := reg.Lookup(r.Folder, r.Name)
		if !ok {
			return fmt.Errorf("e2e: %s is not a registry file", r)
		}
		data := ModelData(f.Repo, f.PathInRepo)
		if damage {
			data[len(data)-1] ^= 0xff
		}
		p := filepath.Join(dir, "models", f.Folder, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	for _, r := range good {
		if err := put(r, false); err != nil {
			return err
		}
	}
	for _, r := range bad {
		if err := put(r, true); err != nil {
			return err
		}
	}
	return os.MkdirAll(filepath.Join(dir, "custom_nodes"), 0o755)
}

// logRequests wraps h so every request is appended to file as
// "METHOD kind path" (the hub's own log format), for scripts that check
// what the app fetched while the stand-ins still run.
func logRequests(h http.Handler, kind string, mu *sync.Mutex, file string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "%s %s %s\n", r.Method, kind, r.URL.Path)
			f.Close()
		}
		mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// wheelServer serves the wheelhouse over HTTP as a PEP 503 index
// (/simple/<project>/ linking to /wheels/<file>) with each response capped
// at rate bytes/s: the "slow PyPI" of the overlap benchmark.
type wheelServer struct {
	srv *http.Server
	url string // the index URL, …/simple/
}

func startWheelServer(wheelsDir string, rate int64) (*wheelServer, error) {
	index, err := os.MkdirTemp("", "ltx-e2e-index")
	if err != nil {
		return nil, err
	}
	if err := writeIndex(wheelsDir, index, "../../wheels/"); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("e2e: wheel server: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/simple/", http.StripPrefix("/simple/", http.FileServer(http.Dir(index))))
	mux.Handle("/wheels/", http.StripPrefix("/wheels/", http.FileServer(http.Dir(wheelsDir))))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&cappedWriter{ResponseWriter: w, rate: rate, began: time.Now()}, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(func() { os.RemoveAll(index) })
	go func() { _ = srv.Serve(ln) }()
	return &wheelServer{srv: srv, url: "http://" + ln.Addr().String() + "/simple/"}, nil
}

func (s *wheelServer) Close() {
	_ = s.srv.Shutdown(context.Background())
	_ = s.srv.Close()
}

// cappedWriter sleeps after each write until the response is back under
// its rate (the same rule as the hub stand-in's ConnRate).
type cappedWriter struct {
	http.ResponseWriter
	rate  int64
	sent  int64
	began time.Time
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		chunk := p[:min(len(p), 32<<10)]
		m, err := c.ResponseWriter.Write(chunk)
		n += m
		c.sent += int64(m)
		if err != nil {
			return n, err
		}
		p = p[m:]
		due := c.began.Add(time.Duration(float64(c.sent) / float64(c.rate) * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
	}
	return n, nil
}

func (c *cappedWriter) ReadFrom(r io.Reader) (int64, error) {
	return io.CopyBuffer(writerOnly{c}, r, make([]byte, 32<<10))
}

type writerOnly struct{ io.Writer }
