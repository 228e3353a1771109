// Package fileio holds the three file operations the app does in many
// places — replace a file atomically, copy one, hash one — so each is written
// (and fixed) once: a reader of a file written here sees the old content or
// the new, never half of it.
package fileio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteAtomic replaces path with data: a synced hidden temp file beside it,
// renamed over it. Missing parent folders are created (0755); a caller that
// wants a private folder creates it first.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := WriteTemp(path, data, perm)
	if err != nil {
		return err
	}
	return Commit(tmp, path)
}

// WriteTemp writes data to a synced hidden temp file beside path and returns
// its name, for callers that put several files in place together (Commit
// each). Every writer gets a temp name of its own, so two processes writing
// at once never rename each other's half-written file into place.
func WriteTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	return writeTemp(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Commit renames the temp file tmp to path, removing tmp if that fails.
func Commit(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Copy copies the file src to dst through a temp file beside dst, so dst is
// either absent, its old self, or the whole of src. Missing parent folders of
// dst are created (0755).
func Copy(ctx context.Context, dst, src string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	tmp, err := writeTemp(dst, perm, func(w io.Writer) error {
		_, err := io.Copy(w, reader{ctx, in})
		return err
	})
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return Commit(tmp, dst)
}

// SHA256 returns the hex sha256 of the file at path, stopping early when ctx
// ends (models are tens of gigabytes). Its errors are the file system's,
// which name the file, so callers word them for the user.
func SHA256(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, reader{ctx, f}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeTemp(path string, perm fs.FileMode, fill func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	name := f.Name()
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// CreateTemp makes 0600 files; the caller says who may read this one.
		err = os.Chmod(name, perm)
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return name, nil
}

// reader stops a long read when ctx ends.
type reader struct {
	ctx context.Context
	r   io.Reader
}

func (r reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
