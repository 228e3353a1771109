// Package logs turns a child process's output into lines the app can show:
// ANSI colour codes stripped (ComfyUI always emits them), a bounded ring for
// the UI's log view, and size-rotated files on disk.
package logs

import (
	"bytes"
	"strings"
	"sync"
)

// StripANSI removes CSI escape sequences such as ESC[32m or ESC[0;31m.
// Hand-rolled: it runs on every log line, and a regexp costs 10x more.
func StripANSI(s string) string {
	i := strings.IndexByte(s, 0x1b)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		s = s[i+1:]
		if len(s) > 0 && s[0] == '[' {
			j := 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == '?') {
				j++
			}
			if j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z') {
				j++
			}
			s = s[j:]
		}
		i = strings.IndexByte(s, 0x1b)
	}
	b.WriteString(s)
	return b.String()
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
