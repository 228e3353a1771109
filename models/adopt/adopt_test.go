package adopt_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/adopt"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

var reg = models.Registry{Files: []models.File{
	{Repo: "org/a", Revision: "main", PathInRepo: "ckpt.safetensors", Folder: "checkpoints", Name: "ckpt.safetensors"},
	{Repo: "org/b", Revision: "main", PathInRepo: "sub/lora.safetensors", Folder: "loras", Name: "lora.safetensors"},
	{Repo: "org/c", Revision: "main", PathInRepo: "te.safetensors", Folder: "text_encoders", Name: "te.safetensors"},
}}

const commit = "0123456789abcdef0123456789abcdef01234567"

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func expect(f models.File, data string) models.Expected {
	s := sha256.Sum256([]byte(data))
	return models.Expected{File: f, Commit: commit, Etag: hex.EncodeToString(s[:]), Size: int64(len(data))}
}

// TestPlacesFindsEveryKnownHome lays out a home folder the way ComfyUI
// Desktop, Stability Matrix, a portable ComfyUI with an
// extra_model_paths.yaml and LTX_COMFYUI_DIRS leave it, and checks each
// registry file is found once, with where it came from.
func TestPlacesFindsEveryKnownHome(t *testing.T) {
	home := t.TempDir()
	cfg := filepath.Join(home, ".config")
	desktopBase := filepath.Join(home, "Documents", "ComfyUI")
	write(t, filepath.Join(cfg, "ComfyUI", "config.json"), `{"basePath": "`+desktopBase+`"}`)
	write(t, filepath.Join(desktopBase, "models", "checkpoints", "ckpt.safetensors"), "checkpoint")
	lib := filepath.Join(home, "SM")
	write(t, filepath.Join(cfg, "StabilityMatrix", "library.json"), `{"LibraryPath": "`+lib+`"}`)
	write(t, filepath.Join(lib, "Models", "Lora", "lora.safetensors"), "lora")
	portable := filepath.Join(home, "ComfyUI_windows_portable", "ComfyUI")
	write(t, filepath.Join(portable, "extra_model_paths.yaml"), "other:\n  base_path: ../../shared\n  text_encoders: |\n    te\n    nowhere\n")
	write(t, filepath.Join(home, "shared", "te", "te.safetensors"), "text encoder")
	extra := filepath.Join(home, "elsewhere")
	write(t, filepath.Join(extra, "models", "checkpoints", "ckpt.safetensors"), "checkpoint")
	write(t, filepath.Join(extra, "models", "checkpoints", "unrelated.safetensors"), "x")

	places := adopt.Places(adopt.Env{GOOS: "linux", Home: home, ConfigDir: cfg, Extra: []string{extra}})
	found := adopt.Scan(t.Context(), places, reg)
	got := map[string]string{}
	for _, f := range found {
		got[f.Ref.String()+" "+strings.TrimPrefix(f.Path, home)] = f.Place.From
	}
	want := map[string]string{
		"checkpoints/ckpt.safetensors /elsewhere/models/checkpoints/ckpt.safetensors":         adopt.FromEnv,
		"checkpoints/ckpt.safetensors /Documents/ComfyUI/models/checkpoints/ckpt.safetensors": adopt.FromDesktop,
		"loras/lora.safetensors /SM/Models/Lora/lora.safetensors":                             adopt.FromStabilityMatrix,
		"text_encoders/te.safetensors /shared/te/te.safetensors":                              adopt.FromCommon + ", extra_model_paths.yaml",
	}
	if len(got) != len(want) {
		t.Errorf("found %v\nwant %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: from %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestScanSkipsFilesAlreadyInTheCache(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "hub")
	write(t, filepath.Join(cache, "blob"), "checkpoint")
	models := filepath.Join(dir, "ComfyUI", "models", "checkpoints")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(cache, "blob"), filepath.Join(models, "ckpt.safetensors")); err != nil {
		t.Skip("no symlinks here")
	}
	if f := adopt.Scan(t.Context(), []adopt.Place{{Dir: filepath.Join(dir, "ComfyUI")}}, reg, cache); len(f) != 0 {
		t.Errorf("a link into the cache was reported as found: %+v", f)
	}
}

func found(t *testing.T, dir, data string) adopt.Found {
	p := filepath.Join(dir, "ComfyUI", "models", "checkpoints", "ckpt.safetensors")
	write(t, p, data)
	return adopt.Scan(t.Context(), []adopt.Place{{Dir: filepath.Join(dir, "ComfyUI")}}, reg)[0]
}

func TestAdoptHardlinksAVerifiedFile(t *testing.T) {
	dir := t.TempDir()
	f := found(t, dir, "checkpoint bytes")
	cache := hfcache.Cache{Dir: filepath.Join(dir, "hub")}
	a, err := adopt.Adopt(t.Context(), cache, f, expect(reg.Files[0], "checkpoint bytes"), adopt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Method != adopt.Hardlinked {
		t.Errorf("method %s, want a hard link", a.Method)
	}
	c, ok := cache.Find("org/a", "main", "ckpt.safetensors")
	if !ok || c.Commit != commit || c.Size != int64(len("checkpoint bytes")) || c.Path != a.Snapshot {
		t.Fatalf("not in the cache as huggingface_hub lays it out: %+v %v", c, ok)
	}
	src, _ := os.Stat(f.Path)
	blob, _ := os.Stat(cache.BlobPath("org/a", expect(reg.Files[0], "checkpoint bytes").Etag))
	if blob == nil || !os.SameFile(src, blob) {
		t.Error("the blob is not the user's file (copied?)")
	}
	if _, err := os.Stat(f.Path); err != nil {
		t.Errorf("the user's file is gone: %v", err)
	}
}

func TestAdoptRefusesAMismatch(t *testing.T) {
	dir := t.TempDir()
	cache := hfcache.Cache{Dir: filepath.Join(dir, "hub")}
	for name, data := range map[string]string{"same size, other bytes": "checkpoint bytez", "other size": "short"} {
		f := found(t, dir, data)
		_, err := adopt.Adopt(t.Context(), cache, f, expect(reg.Files[0], "checkpoint bytes"), adopt.Options{})
		var mm *adopt.MismatchError
		if !errors.As(err, &mm) {
			t.Fatalf("%s: err %v, want a mismatch", name, err)
		}
		if _, ok := cache.Find("org/a", "main", "ckpt.safetensors"); ok {
			t.Fatalf("%s: a mismatching file entered the cache", name)
		}
	}
}

func TestAdoptWithoutHardlinks(t *testing.T) {
	refuse := func(string, string) error { return errors.New("cross-device link") }
	for _, move := range []bool{false, true} {
		dir := t.TempDir()
		f := found(t, dir, "checkpoint bytes")
		cache := hfcache.Cache{Dir: filepath.Join(dir, "hub")}
		a, err := adopt.Adopt(t.Context(), cache, f, expect(reg.Files[0], "checkpoint bytes"), adopt.Options{AllowMove: move, Link: refuse})
		if err != nil {
			t.Fatal(err)
		}
		want := adopt.LinkedInPlace
		if move {
			want = adopt.Moved
		}
		if a.Method != want {
			t.Errorf("move allowed=%v: method %s, want %s", move, a.Method, want)
		}
		// Either way both names still read the same bytes.
		for _, p := range []string{f.Path, a.Snapshot} {
			if b, err := os.ReadFile(p); err != nil || string(b) != "checkpoint bytes" {
				t.Errorf("move allowed=%v: %s reads %q, %v", move, p, b, err)
			}
		}
		blob := cache.BlobPath("org/a", expect(reg.Files[0], "checkpoint bytes").Etag)
		fi, _ := os.Lstat(blob)
		if isLink := fi != nil && fi.Mode()&os.ModeSymlink != 0; isLink == move {
			t.Errorf("move allowed=%v: blob is a symlink = %v", move, isLink)
		}
	}
}
