package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReserveNameKeepsOtherSidecars(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		want     string
	}{
		{"free", nil, "v.mp4"},
		{"video taken", []string{"v.mp4", "v.json"}, "v-2.mp4"},
		{"sidecar of a .webm with the same base", []string{"v.webm", "v.json"}, "v-2.mp4"},
		{"both taken", []string{"v.mp4", "v.json", "v-2.webm", "v-2.json"}, "v-3.mp4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range tc.existing {
				os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644)
			}
			got, err := reserveName(dir, "v", ".mp4")
			if err != nil || got != filepath.Join(dir, tc.want) {
				t.Fatalf("got %q, %v; want %s", got, err, tc.want)
			}
			for _, n := range tc.existing {
				if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != "x" {
					t.Errorf("%s was touched", n)
				}
			}
		})
	}
}

func TestShownURLDropsCredentials(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:8188":                 "http://127.0.0.1:8188",
		"https://me:s3cret@gpu.example.com:443": "https://gpu.example.com:443",
		"http://token@10.0.0.2:8188":            "http://10.0.0.2:8188",
		"http://me:s3cret@[bad":                 "",
	} {
		if got := shownURL(raw); got != want {
			t.Errorf("shownURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// A job lost on a backend whose address carries a password says where,
// without the password (notes end up on screen, in queue.json and in logs).
func TestLostJobNoteHidesPassword(t *testing.T) {
	_, b := newFake(t, "remote", false, nil)
	b.URL = strings.Replace(b.URL, "http://", "http://me:s3cret@", 1)
	e := newEngine(t, t.TempDir(), b)
	e.cfg.DeadAfter = 300 * time.Millisecond
	ch, stop := e.Subscribe()
	defer stop()
	j, _ := e.Submit(form("fakecomfy:die"))
	run(t, e)
	j = waitFor(t, e, ch, j.ID, func(j Job) bool { return j.Attempts == 1 && j.Note != "" })
	if !strings.Contains(j.Note, "stopped responding") || strings.Contains(j.Note+j.Error, "s3cret") {
		t.Errorf("note %q, error %q", j.Note, j.Error)
	}
}

// probeHasher records which visible files the output folder holds while
// model hashes are computed.
type probeHasher struct {
	dir  string
	seen *[]string
}

func (p probeHasher) SHA256(ctx context.Context, m ModelRef) (string, error) {
	ents, _ := os.ReadDir(p.dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			*p.seen = append(*p.seen, e.Name())
		}
	}
	return fakeHasher{}.SHA256(ctx, m)
}

// While a slow step (model hashes) runs, no empty video sits under its
// final name: a quit at that moment would leave it looking complete.
func TestNoEmptyVideoWhileHashing(t *testing.T) {
	_, b := newFake(t, "local", false, nil)
	e := newEngine(t, t.TempDir(), b)
	var seen []string
	e.cfg.Hashes = probeHasher{dir: e.cfg.OutputDir, seen: &seen}
	ch, stop := e.Subscribe()
	defer stop()
	j, _ := e.Submit(form("a quiet lake"))
	run(t, e)
	if j = waitFor(t, e, ch, j.ID, finished); j.State != Done {
		t.Fatalf("job %+v", j)
	}
	if len(seen) > 0 {
		t.Errorf("visible in the output folder while hashing: %v", seen)
	}
}
