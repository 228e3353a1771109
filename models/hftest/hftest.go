// Package hftest is a real HTTP stand-in for the Hugging Face hub's resolve
// protocol, for tests and benchmarks only (like net/http/httptest): HEAD
// metadata, a 302 to a storage host
// with a different host name, byte ranges, 404 with X-Repo-Commit, 401/403 for
// gated repos. It counts every request and every byte it serves.
package hftest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// File is one file of a repo.
type File struct {
	Data []byte
	LFS  bool // LFS files redirect to storage and are named by sha256
}

// Etag is what the hub would call the file.
func (f File) Etag() string {
	if f.LFS {
		s := sha256.Sum256(f.Data)
		return hex.EncodeToString(s[:])
	}
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(f.Data))
	h.Write(f.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// Repo is one model repo at one commit.
type Repo struct {
	Commit string
	Files  map[string]File
	Gated  bool // needs Token
}

// Range is one ranged GET the storage host answered.
type Range struct {
	Etag       string
	Start, End int64 // inclusive start, exclusive end, as requested
}

// Server is the running stand-in. Fields may be set before the first request.
type Server struct {
	Hub     *httptest.Server // the resolve host (HF_ENDPOINT)
	Storage *httptest.Server // the LFS storage host, another host name

	Token string // accepted bearer token for gated repos
	// ConnRate caps each response's bandwidth in bytes/s (0 = uncapped).
	// Atomic: tests change it while the server runs, and a client in another
	// process gives the race detector no happens-before edge.
	ConnRate atomic.Int64
	// PauseAfter, when > 0, makes storage responses block once this many bytes
	// were served in total, until the client goes away; Paused is closed then.
	PauseAfter atomic.Int64
	Paused     chan struct{}
	// Corrupt flips the middle byte of the served content of the blob with this etag.
	Corrupt string
	// StallFirst makes the first n storage GETs send headers and then nothing.
	StallFirst atomic.Int32

	mu       sync.Mutex
	repos    map[string]Repo
	requests []string
	ranges   []Range
	served   atomic.Int64
	pauseOne sync.Once
	storHost string
	active   int
	etags    map[etagKey]string
	idle     *sync.Cond // signalled when active drops to 0
}

func (s *Server) enter() {
	s.mu.Lock()
	s.active++
	s.mu.Unlock()
}

func (s *Server) leave() {
	s.mu.Lock()
	s.active--
	if s.active == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// WaitIdle blocks until no handler is running, so counters read afterwards
// belong to later requests only.
func (s *Server) WaitIdle() {
	s.mu.Lock()
	for s.active > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// New starts both hosts on loopback. The storage host listens on 127.0.0.2
// where that works, else it is reached as "localhost", so its host name
// differs from the hub's like the real CDN's does.
func New(repos map[string]Repo) *Server {
	s := &Server{repos: repos, Paused: make(chan struct{})}
	s.idle = sync.NewCond(&s.mu)
	s.etags = map[etagKey]string{}
	// The hub starts last: its handler reads storHost, and a client in
	// another process gives the race detector no happens-before edge.
	s.Hub = httptest.NewUnstartedServer(http.HandlerFunc(s.hub))
	st := httptest.NewUnstartedServer(http.HandlerFunc(s.storage))
	if l, err := net.Listen("tcp", "127.0.0.2:0"); err == nil {
		st.Listener.Close()
		st.Listener = l
		st.Start()
		s.storHost = st.Listener.Addr().String()
	} else {
		st.Start()
		s.storHost = "localhost:" + strconv.Itoa(st.Listener.Addr().(*net.TCPAddr).Port)
	}
	s.Storage = st
	s.Hub.Start()
	return s
}

// Close stops both hosts, cutting open connections.
func (s *Server) Close() {
	s.Hub.CloseClientConnections()
	s.Storage.CloseClientConnections()
	s.Hub.Close()
	s.Storage.Close()
}

// URL is the value for HF_ENDPOINT.
func (s *Server) URL() string { return s.Hub.URL }

// Requests lists "METHOD host-kind path" lines in arrival order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Ranges lists the storage GETs' requested ranges.
func (s *Server) Ranges() []Range {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Range(nil), s.ranges...)
}

// Served is the number of body bytes written by the storage and hub hosts.
func (s *Server) Served() int64 { return s.served.Load() }

// Reset clears the counters.
func (s *Server) Reset() {
	s.mu.Lock()
	s.requests, s.ranges = nil, nil
	s.mu.Unlock()
	s.served.Store(0)
}

func (s *Server) log(r *http.Request, kind string) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+kind+" "+r.URL.Path)
	s.mu.Unlock()
}

type etagKey struct {
	p   *byte
	n   int
	lfs bool
}

// etag memoizes File.Etag by the data's address, so benchmarks measure the
// client and not the stand-in's hashing. Callers hold s.mu.
func (s *Server) etag(f File) string {
	if len(f.Data) == 0 {
		return f.Etag()
	}
	k := etagKey{&f.Data[0], len(f.Data), f.LFS}
	e, ok := s.etags[k]
	if !ok {
		e = f.Etag()
		s.etags[k] = e
	}
	return e
}

// hub serves /<org>/<name>/resolve/<rev>/<path>.
func (s *Server) hub(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.leave()
	s.log(r, "hub")
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 5)
	if len(parts) < 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	repoID, rev, p := parts[0]+"/"+parts[1], parts[3], parts[4]
	s.mu.Lock()
	repo, ok := s.repos[repoID]
	f, fok := repo.Files[p]
	etag := s.etag(f)
	s.mu.Unlock()
	if !ok {
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, "Repository not found", http.StatusUnauthorized)
		return
	}
	if repo.Gated {
		got := r.Header.Get("Authorization")
		if got == "" {
			w.Header().Set("X-Error-Code", "GatedRepo")
			http.Error(w, "Access to this repo is restricted", http.StatusUnauthorized)
			return
		}
		if got != "Bearer "+s.Token {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
	}
	if rev != "main" && rev != repo.Commit {
		w.Header().Set("X-Error-Code", "RevisionNotFound")
		http.Error(w, "Invalid rev id", http.StatusNotFound)
		return
	}
	w.Header().Set("X-Repo-Commit", repo.Commit)
	if !fok {
		w.Header().Set("X-Error-Code", "EntryNotFound")
		http.Error(w, "Entry not found", http.StatusNotFound)
		return
	}
	if f.LFS {
		w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(f.Data)))
		w.Header().Set("ETag", `"`+etag+`"`)
		w.Header().Set("Location", "http://"+s.storHost+"/blobs/"+etag+"?sig=x")
		w.WriteHeader(http.StatusFound)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	s.serve(w, r, etag, f.Data)
}

func (s *Server) storage(w http.ResponseWriter, r *http.Request) {
	s.enter()
	defer s.leave()
	s.log(r, "storage")
	etag := strings.TrimPrefix(r.URL.Path, "/blobs/")
	var data []byte
	s.mu.Lock()
	for _, repo := range s.repos {
		for _, f := range repo.Files {
			if f.LFS && s.etag(f) == etag {
				data = f.Data
			}
		}
	}
	s.mu.Unlock()
	if data == nil {
		http.NotFound(w, r)
		return
	}
	s.serve(w, r, etag, data)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, etag string, data []byte) {
	size := int64(len(data))
	start, end := int64(0), size
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" {
		a, b, ok := parseRange(rg, size)
		if !ok {
			w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start, end, status = a, b, http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, size))
	}
	w.Header().Set("Content-Length", strconv.FormatInt(end-start, 10))
	w.Header().Set("Accept-Ranges", "bytes")
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	s.mu.Lock()
	s.ranges = append(s.ranges, Range{Etag: etag, Start: start, End: end})
	s.mu.Unlock()
	w.WriteHeader(status)
	if s.StallFirst.Add(-1) >= 0 {
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return
	}
	const chunk = 32 << 10
	began := time.Now()
	var sent int64
	for off := start; off < end; {
		n := min(int64(chunk), end-off)
		if pa := s.PauseAfter.Load(); pa > 0 && s.served.Load()+n > pa {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			s.pauseOne.Do(func() { close(s.Paused) })
			<-r.Context().Done()
			return
		}
		buf := data[off : off+n]
		if etag == s.Corrupt && start <= size/2 && size/2 < end && off <= size/2 && size/2 < off+n {
			buf = append([]byte(nil), buf...)
			buf[size/2-off] ^= 0xff
		}
		m, err := w.Write(buf)
		s.served.Add(int64(m))
		sent += int64(m)
		if err != nil {
			return
		}
		off += n
		if rate := s.ConnRate.Load(); rate > 0 {
			// sleep until this connection is back under its cap
			due := began.Add(time.Duration(float64(sent) / float64(rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				}
			}
		}
	}
}

func parseRange(h string, size int64) (int64, int64, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end := size
	if b != "" {
		e, err := strconv.ParseInt(b, 10, 64)
		if err != nil || e < start {
			return 0, 0, false
		}
		end = min(e+1, size)
	}
	return start, end, true
}
