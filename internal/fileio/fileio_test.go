package fileio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.json")
	for _, s := range []string{"old", "new"} {
		if err := WriteAtomic(p, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v; want new", b, err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if es, _ := os.ReadDir(filepath.Dir(p)); len(es) != 1 {
		t.Errorf("folder holds %d files, want only a.json", len(es))
	}
}

func TestWriteAtomicIntoAFolderNameFailsAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "taken")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(p, "x"), []byte("x"), 0o644)
	if err := WriteAtomic(p, []byte("data"), 0o644); err == nil {
		t.Fatal("writing over a non-empty folder succeeded")
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("a temp file was left behind: %d entries", len(es))
	}
}

func TestCopyAndSHA256(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := make([]byte, 3<<20+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "out", "dst.bin")
	if err := Copy(context.Background(), dst, src, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	for _, p := range []string{src, dst} {
		got, err := SHA256(context.Background(), p)
		if err != nil || got != hex.EncodeToString(sum[:]) {
			t.Errorf("SHA256(%s) = %s, %v", filepath.Base(p), got, err)
		}
	}
}

func TestCanceledCopyLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.WriteFile(src, []byte("abc"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst := filepath.Join(dir, "dst")
	if err := Copy(ctx, dst, src, 0o644); !errors.Is(err, context.Canceled) {
		t.Fatalf("Copy with a canceled context: %v", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d entries left, want only src", len(es))
	}
	if _, err := SHA256(ctx, src); !errors.Is(err, context.Canceled) {
		t.Errorf("SHA256 with a canceled context: %v", err)
	}
	if _, err := SHA256(context.Background(), filepath.Join(dir, "missing")); err == nil {
		t.Error("hashing a missing file succeeded")
	}
}
