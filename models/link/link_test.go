package link

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// snapshot makes a cache-like source: a relative symlink to a blob.
func snapshot(t testing.TB, dir, name, content string) string {
	t.Helper()
	blobs := filepath.Join(dir, "blobs")
	snap := filepath.Join(dir, "snapshots", "c0")
	os.MkdirAll(blobs, 0o755)
	os.MkdirAll(snap, 0o755)
	etag := fmt.Sprintf("%064x", len(content)+len(name))
	if err := os.WriteFile(filepath.Join(blobs, etag), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sp := filepath.Join(snap, name)
	if err := os.Symlink("../../blobs/"+etag, sp); err != nil || !resolves(sp) {
		os.Remove(sp)
		// No symlinks here (Windows outside Developer Mode): huggingface_hub
		// moves the blob into the snapshot instead, and so do we.
		if err := os.Rename(filepath.Join(blobs, etag), sp); err != nil {
			t.Fatal(err)
		}
	}
	return sp
}

// symlinksWork reports whether this process may make symlinks: Windows lets
// only Developer Mode or an administrator make them (Wine never does), and
// then the linker must fall back to hard links.
func symlinksWork(t testing.TB) bool {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "target"), nil, 0o644)
	p := filepath.Join(dir, "probe")
	return os.Symlink(filepath.Join(dir, "target"), p) == nil && resolves(p)
}

func TestLinkIsIdempotentAndRepairsDangling(t *testing.T) {
	dir := t.TempDir()
	src := snapshot(t, filepath.Join(dir, "cache"), "a.safetensors", "AAA")
	l := New(filepath.Join(dir, "ComfyUI"))
	items := []Item{{Folder: "checkpoints", Name: "a.safetensors", Source: src}}

	want := Symlink
	if !symlinksWork(t) {
		want = Hardlink
	}
	rep, err := l.Link(items)
	if err != nil || rep.Results[0].Action != Created || rep.Results[0].Method != want {
		t.Fatalf("first link (want a %s): %+v %v", want, rep, err)
	}
	dst := filepath.Join(dir, "ComfyUI", "models", "checkpoints", "a.safetensors")
	if b, err := os.ReadFile(dst); err != nil || string(b) != "AAA" {
		t.Fatalf("link does not read through: %q %v", b, err)
	}
	rep, err = l.Link(items)
	if err != nil || rep.Results[0].Action != Unchanged {
		t.Fatalf("second link: %+v %v", rep, err)
	}
	// A dangling link (an old snapshot removed) is repaired.
	if want == Symlink {
		os.Remove(dst)
		os.Symlink(filepath.Join(dir, "gone"), dst)
		rep, err = l.Link(items)
		if err != nil || rep.Results[0].Action != Repaired {
			t.Fatalf("repair: %+v %v", rep, err)
		}
		if b, _ := os.ReadFile(dst); string(b) != "AAA" {
			t.Fatal("repaired link does not read through")
		}
	}
	// A user's own real file is never overwritten.
	own := filepath.Join(dir, "ComfyUI", "models", "checkpoints", "b.safetensors")
	os.WriteFile(own, []byte("mine"), 0o644)
	src2 := snapshot(t, filepath.Join(dir, "cache2"), "b.safetensors", "BBB")
	rep, err = l.Link([]Item{{Folder: "checkpoints", Name: "b.safetensors", Source: src2}})
	if b, _ := os.ReadFile(own); err != nil || rep.Results[0].Action != KeptUser || string(b) != "mine" {
		t.Fatalf("user file: %+v %v %q", rep, err, b)
	}
}

func TestLinkFallsBackToHardlinkThenYAML(t *testing.T) {
	dir := t.TempDir()
	src := snapshot(t, filepath.Join(dir, "cache"), "a.safetensors", "AAA")
	refuse := func(string, string) error { return errors.New("operation not permitted") }
	items := []Item{{Folder: "vae", Name: "a.safetensors", Source: src}}

	l := New(filepath.Join(dir, "C1"))
	l.Symlink = refuse
	rep, err := l.Link(items)
	if err != nil || rep.Results[0].Method != Hardlink {
		t.Fatalf("hardlink fallback: %+v %v", rep, err)
	}
	dst := filepath.Join(dir, "C1", "models", "vae", "a.safetensors")
	if fi, err := os.Lstat(dst); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("not a hard link: %v", err)
	}
	if rep, _ := l.Link(items); rep.Results[0].Action != Unchanged {
		t.Errorf("hard link not idempotent: %+v", rep)
	}

	l = New(filepath.Join(dir, "C2"))
	l.Symlink, l.Hardlink = refuse, refuse
	rep, err = l.Link(items)
	if err != nil || rep.Results[0].Method != ExtraYAML || rep.YAMLPath == "" {
		t.Fatalf("yaml fallback: %+v %v", rep, err)
	}
	if !strings.HasPrefix(rep.YAMLPath, filepath.Join(dir, "C2", "models")+string(filepath.Separator)) {
		t.Errorf("yaml written outside the models folder: %s", rep.YAMLPath)
	}
	var doc map[string]map[string]string
	b, _ := os.ReadFile(rep.YAMLPath)
	if err := yaml.Unmarshal(b, &doc); err != nil || doc["ltx_studio"]["vae"] != filepath.Dir(src) {
		t.Errorf("yaml = %s (%v)", b, err)
	}
	if rep, _ := l.Link(items); rep.Results[0].Action != Unchanged {
		t.Errorf("yaml not idempotent: %+v", rep)
	}
}

func TestLinkRefusesNamesThatEscape(t *testing.T) {
	dir := t.TempDir()
	src := snapshot(t, filepath.Join(dir, "cache"), "a.safetensors", "AAA")
	l := New(filepath.Join(dir, "ComfyUI"))
	for _, it := range []Item{
		{Folder: "..", Name: "a.safetensors", Source: src},
		{Folder: "loras", Name: "../../evil", Source: src},
		{Folder: "loras/../..", Name: "x", Source: src},
		{Folder: "loras", Name: "", Source: src},
	} {
		if _, err := l.Link([]Item{it}); err == nil {
			t.Errorf("%+v was accepted", it)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "cache" && e.Name() != "ComfyUI" {
			t.Errorf("something was written outside: %s", e.Name())
		}
	}
}

func BenchmarkLink30Files(b *testing.B) {
	dir := b.TempDir()
	var items []Item
	for i := range 30 {
		name := fmt.Sprintf("f%02d.safetensors", i)
		items = append(items, Item{Folder: "loras", Name: name, Source: snapshot(b, filepath.Join(dir, "cache"), name, name)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.RemoveAll(filepath.Join(dir, "ComfyUI"))
		l := New(filepath.Join(dir, "ComfyUI"))
		b.StartTimer()
		if _, err := l.Link(items); err != nil {
			b.Fatal(err)
		}
	}
}

// Two job workers that need one missing file link it at once: both succeed,
// the link reads through, and no temp name is left beside it.
func TestConcurrentLinksOfOneFile(t *testing.T) {
	dir := t.TempDir()
	src := snapshot(t, filepath.Join(dir, "cache"), "a.safetensors", "AAA")
	items := []Item{{Folder: "checkpoints", Name: "a.safetensors", Source: src}}
	for round := range 20 {
		dst := filepath.Join(dir, "ComfyUI", "models", "checkpoints", "a.safetensors")
		os.Remove(dst)
		errs := make(chan error, 8)
		for range 8 {
			go func() { _, err := New(filepath.Join(dir, "ComfyUI")).Link(items); errs <- err }()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if b, err := os.ReadFile(dst); err != nil || string(b) != "AAA" {
			t.Fatalf("round %d: link reads %q, %v", round, b, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "ComfyUI", "models", "checkpoints", "*.ltx-tmp*"))
	if len(left) > 0 {
		t.Fatalf("temp links left: %v", left)
	}
}
