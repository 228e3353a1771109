// Package logs turns a child process's output into lines the app can show:
// ANSI colour codes stripped (ComfyUI always emits them), a bounded ring for
// the UI's log view, and size-rotated files on disk.
package logs

import (
	"bytes"
	"regexp"
	"sync"
)

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// StripANSI removes terminal escape sequences such as ESC[32m.
func StripANSI(s string) string {
	if !bytes.Contains([]byte(s), []byte{0x1b}) {
		return s
	}
	return ansi.ReplaceAllString(s, "")
}

// Ring keeps the last N lines. It is safe for concurrent use.
type Ring struct {
	mu    sync.Mutex
	lines []string
	start int
	n     int
	total int64
}

// NewRing returns a ring holding at most size lines (at least 1).
func NewRing(size int) *Ring {
	if size < 1 {
		size = 1
	}
	return &Ring{lines: make([]string, size)}
}

// Add appends a line, dropping the oldest when full.
func (r *Ring) Add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total++
	if r.n < len(r.lines) {
		r.lines[(r.start+r.n)%len(r.lines)] = line
		r.n++
		return
	}
	r.lines[r.start] = line
	r.start = (r.start + 1) % len(r.lines)
}

// Last returns up to n of the newest lines, oldest first (n <= 0: all).
func (r *Ring) Last(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n <= 0 || n > r.n {
		n = r.n
	}
	out := make([]string, n)
	for i := range n {
		out[i] = r.lines[(r.start+r.n-n+i)%len(r.lines)]
	}
	return out
}

// Total is how many lines were ever added; the UI uses it to see new lines.
func (r *Ring) Total() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// LineWriter is an io.Writer that splits a byte stream into lines, strips
// ANSI codes and hands each line to Sink. A trailing partial line is held
// until its newline arrives or Flush is called. Safe for concurrent use, so
// stdout and stderr may share one.
type LineWriter struct {
	Sink func(line string)
	mu   sync.Mutex
	buf  []byte
}

// maxLine caps a line without newline (tqdm progress bars use \r only).
const maxLine = 64 << 10

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexAny(w.buf, "\r\n")
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		// \r\n counts once; a lone \r (progress bar redraw) ends a line too.
		j := i + 1
		if w.buf[i] == '\r' && j < len(w.buf) && w.buf[j] == '\n' {
			j++
		}
		w.buf = w.buf[j:]
		w.Sink(StripANSI(line))
	}
	if len(w.buf) > maxLine {
		w.Sink(StripANSI(string(w.buf)))
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// Flush emits a held partial line.
func (w *LineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.Sink(StripANSI(string(w.buf)))
		w.buf = w.buf[:0]
	}
}
