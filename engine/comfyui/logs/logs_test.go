package logs

import (
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStripANSI(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\x1b[32m[INFO]\x1b[0m Starting server", "[INFO] Starting server"},
		{"\x1b[1m\x1b[33m[WARNING]\x1b[0m x", "[WARNING] x"},
		{"[VideoHelperSuite] - \x1b[0;31mERROR\x1b[0m - No valid ffmpeg found.", "[VideoHelperSuite] - ERROR - No valid ffmpeg found."},
		{"plain", "plain"},
	} {
		if got := StripANSI(tc.in); got != tc.want {
			t.Errorf("StripANSI(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRing(t *testing.T) {
	r := NewRing(3)
	for _, l := range []string{"a", "b", "c", "d"} {
		r.Add(l)
	}
	if got := r.Last(0); !reflect.DeepEqual(got, []string{"b", "c", "d"}) {
		t.Fatalf("Last(0) = %v", got)
	}
	if got := r.Last(2); !reflect.DeepEqual(got, []string{"c", "d"}) {
		t.Fatalf("Last(2) = %v", got)
	}
	if r.Total() != 4 {
		t.Fatalf("Total = %d", r.Total())
	}
}

func TestLineWriterSplitsAcrossWrites(t *testing.T) {
	var got []string
	w := &LineWriter{Sink: func(l string) { got = append(got, l) }}
	w.Write([]byte("\x1b[32m[INFO]\x1b[0m To see the GUI go to: http://127.0.0.1:81"))
	w.Write([]byte("88\r\n\nprogress 1\rprogress 2\rtail"))
	w.Flush()
	want := []string{"[INFO] To see the GUI go to: http://127.0.0.1:8188", "", "progress 1", "progress 2", "tail"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("lines = %q, want %q", got, want)
	}
}

// The real recording must come out without a single escape byte.
func TestLineWriterOnRecordedLog(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(recordings.ComfyUI(t), "server_log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	w := &LineWriter{Sink: func(l string) { lines = append(lines, l) }}
	w.Write(b)
	w.Flush()
	var ready bool
	for _, l := range lines {
		if strings.ContainsRune(l, 0x1b) {
			t.Fatalf("escape left in %q", l)
		}
		if l == "[INFO] To see the GUI go to: http://127.0.0.1:8188" {
			ready = true
		}
	}
	if !ready || lines[len(lines)-1] != "Stopped server" {
		t.Fatalf("ready line found=%v, last line %q", ready, lines[len(lines)-1])
	}
}

func TestRotatingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "comfyui.log")
	for i := range 3 {
		r := &RotatingFile{Path: p, MaxBytes: 10, Keep: 2}
		if err := r.Open(); err != nil {
			t.Fatal(err)
		}
		r.WriteLine(strings.Repeat("x", i+1))
		r.Close()
	}
	for _, name := range []string{p, p + ".1", p + ".2"} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("%s missing: %v", name, err)
		}
	}
	if _, err := os.Stat(p + ".3"); err == nil {
		t.Errorf("kept more than 2 rotated files")
	}
	b, _ := os.ReadFile(p)
	if string(b) != "xxx\n" {
		t.Errorf("current log = %q", b)
	}
}

// BenchmarkLineWriter measures the cost per byte of ComfyUI output on its
// way to the UI ring (ANSI strip + split); target: far below 1 µs per line.
func BenchmarkLineWriter(b *testing.B) {
	chunk := []byte(strings.Repeat("\x1b[32m[INFO]\x1b[0m Requested to load LTXAV model, loaded completely 2048.00 MB\n", 64))
	r := NewRing(2000)
	w := &LineWriter{Sink: r.Add}
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		w.Write(chunk)
	}
}

func TestCrashLogsSurviveRotation(t *testing.T) {
	p := filepath.Join(t.TempDir(), "comfyui.log")
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	r := &RotatingFile{Path: p, Keep: 2}
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	r.WriteLine("Traceback: the crash")
	kept, err := r.KeepCrash(at, 3)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	for range 6 { // more starts than rotated files are kept
		r := &RotatingFile{Path: p, Keep: 2}
		if err := r.Open(); err != nil {
			t.Fatal(err)
		}
		r.WriteLine("a clean start")
		r.Close()
	}
	if b, err := os.ReadFile(kept); err != nil || !strings.Contains(string(b), "the crash") {
		t.Fatalf("crash log %s after six starts: %q, %v", kept, b, err)
	}
	for i := 1; i <= 4; i++ {
		r.Open()
		if _, err := r.KeepCrash(at.Add(time.Duration(i)*time.Second), 3); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if got := CrashLogs(p); len(got) != 3 || got[0] == kept {
		t.Errorf("crash logs %v: want the newest 3", got)
	}
}
