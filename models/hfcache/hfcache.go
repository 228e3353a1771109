// Package hfcache reads and writes the Hugging Face hub cache exactly as
// huggingface_hub lays it out, so weights fetched by Python tools are reused
// and weights we fetch are found by them.
//
//	<cache>/models--<org>--<name>/refs/<revision>          commit, no newline
//	<cache>/models--<org>--<name>/blobs/<etag>             content
//	<cache>/models--<org>--<name>/snapshots/<commit>/<path> relative symlink to ../../blobs/<etag>
//	<cache>/models--<org>--<name>/.no_exist/<commit>/<path> empty marker
package hfcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ltxstudio/ltx-studio/internal/fileio"
)

// DefaultEndpoint is the hub used when HF_ENDPOINT is unset.
const DefaultEndpoint = "https://huggingface.co"

// Env is the hub configuration taken from the environment.
type Env struct {
	CacheDir string // resolved hub cache folder
	Endpoint string // without trailing slash
	Token    string // never logged; see Redact
	Offline  bool
}

// FromEnv resolves the configuration like huggingface_hub: HF_HUB_CACHE, else
// HF_HOME/hub, else ~/.cache/huggingface/hub (XDG_CACHE_HOME honoured);
// token from HF_TOKEN, else the file HF_TOKEN_PATH or HF_HOME/token. getenv is os.Getenv in production.
func FromEnv(getenv func(string) string) Env {
	if getenv == nil {
		getenv = os.Getenv
	}
	home := getenv("HF_HOME")
	if home == "" {
		base := getenv("XDG_CACHE_HOME")
		if base == "" {
			if h, err := os.UserHomeDir(); err == nil {
				base = filepath.Join(h, ".cache")
			}
		}
		home = filepath.Join(base, "huggingface")
	}
	e := Env{CacheDir: getenv("HF_HUB_CACHE"), Endpoint: strings.TrimRight(getenv("HF_ENDPOINT"), "/")}
	if e.CacheDir == "" {
		e.CacheDir = getenv("HUGGINGFACE_HUB_CACHE") // the older name, still read by huggingface_hub
	}
	if e.CacheDir == "" {
		e.CacheDir = filepath.Join(home, "hub")
	}
	if e.Endpoint == "" {
		e.Endpoint = DefaultEndpoint
	}
	e.Token = strings.TrimSpace(getenv("HF_TOKEN"))
	if e.Token == "" {
		tokenPath := getenv("HF_TOKEN_PATH")
		if tokenPath == "" {
			tokenPath = filepath.Join(home, "token")
		}
		if b, err := os.ReadFile(tokenPath); err == nil {
			e.Token = strings.TrimSpace(string(b))
		}
	}
	switch strings.ToLower(strings.TrimSpace(getenv("HF_HUB_OFFLINE"))) {
	case "1", "true", "yes", "on":
		e.Offline = true
	}
	return e
}

// Redact removes the token from s so it can be shown or logged.
func (e Env) Redact(s string) string {
	if e.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, e.Token, "hf_***")
}

var (
	commitRe = regexp.MustCompile(`^[0-9a-f]{40}$`)
	etagRe   = regexp.MustCompile(`^[0-9a-f]{40}$|^[0-9a-f]{64}$`)
	repoRe   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// IsCommit reports whether s is a full 40-hex commit hash.
func IsCommit(s string) bool { return commitRe.MatchString(s) }

// ValidEtag reports whether s can name a blob: a sha256 (LFS) or git sha1.
// Anything else from a server is refused, so it never becomes a path.
func ValidEtag(s string) bool { return etagRe.MatchString(s) }

// CheckRepo refuses repo ids that could escape the cache when made a path.
func CheckRepo(repo string) error {
	if !repoRe.MatchString(repo) || strings.Contains(repo, "..") {
		return fmt.Errorf("hfcache: %q is not a valid repo id (want org/name)", repo)
	}
	return nil
}

// CheckPath refuses paths-in-repo that are absolute or climb out.
func CheckPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) || path.Clean(p) != p || p == "." ||
		strings.HasPrefix(p, "../") || p == ".." {
		return fmt.Errorf("hfcache: %q is not a safe path inside a repo", p)
	}
	return nil
}

// Cache is one hub cache folder.
type Cache struct{ Dir string }

// RepoDir is models--org--name.
func (c Cache) RepoDir(repo string) string {
	return filepath.Join(c.Dir, "models--"+strings.ReplaceAll(repo, "/", "--"))
}

// BlobPath is where the content named by etag lives.
func (c Cache) BlobPath(repo, etag string) string {
	return filepath.Join(c.RepoDir(repo), "blobs", etag)
}

// BlobLockPath is huggingface_hub's lock file for a blob path
// (<cache>/models--org--name/blobs/<etag>): <cache>/.locks/models--org--name/<etag>.lock.
func BlobLockPath(blob string) string {
	repoDir := filepath.Dir(filepath.Dir(blob))
	return filepath.Join(filepath.Dir(repoDir), ".locks", filepath.Base(repoDir), filepath.Base(blob)+".lock")
}

// SnapshotPath is the file's path in the snapshot of commit.
func (c Cache) SnapshotPath(repo, commit, p string) string {
	return filepath.Join(c.RepoDir(repo), "snapshots", commit, filepath.FromSlash(p))
}

// ReadRef returns the commit a revision points at ("" when unknown).
func (c Cache) ReadRef(repo, rev string) string {
	if IsCommit(rev) {
		return rev
	}
	b, err := os.ReadFile(filepath.Join(c.RepoDir(repo), "refs", filepath.FromSlash(rev)))
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if !IsCommit(s) {
		return ""
	}
	return s
}

// WriteRef records rev → commit (no trailing newline, like huggingface_hub).
func (c Cache) WriteRef(repo, rev, commit string) error {
	if IsCommit(rev) || rev == "" {
		return nil
	}
	if !IsCommit(commit) {
		return fmt.Errorf("hfcache: refusing to record %q as a commit", commit)
	}
	if c.ReadRef(repo, rev) == commit {
		return nil
	}
	return fileio.WriteAtomic(filepath.Join(c.RepoDir(repo), "refs", filepath.FromSlash(rev)), []byte(commit), 0o644)
}

// Cached is a file found in the cache.
type Cached struct {
	Path   string // snapshot path (symlink or plain file)
	Commit string
	Etag   string // from the symlink's blob name; "" for a plain file
	Size   int64
}

// Find looks a file up at rev (a commit or a ref name) without any network,
// like try_to_load_from_cache. ok is false when it is not there (or is a
// dangling link).
func (c Cache) Find(repo, rev, p string) (Cached, bool) {
	commit := c.ReadRef(repo, rev)
	if commit == "" {
		return Cached{}, false
	}
	sp := c.SnapshotPath(repo, commit, p)
	fi, err := os.Stat(sp) // follows the link: a dangling one is "not cached"
	if err != nil || !fi.Mode().IsRegular() {
		return Cached{}, false
	}
	out := Cached{Path: sp, Commit: commit, Size: fi.Size()}
	if t, err := os.Readlink(sp); err == nil {
		if e := filepath.Base(t); ValidEtag(e) {
			out.Etag = e
		}
	}
	return out, true
}

// NoExist reports whether a .no_exist marker says p is absent at rev.
func (c Cache) NoExist(repo, rev, p string) bool {
	commit := c.ReadRef(repo, rev)
	if commit == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(c.RepoDir(repo), ".no_exist", commit, filepath.FromSlash(p)))
	return err == nil
}

// MarkNoExist touches .no_exist/<commit>/<path>.
func (c Cache) MarkNoExist(repo, commit, p string) error {
	if !IsCommit(commit) || CheckPath(p) != nil {
		return nil
	}
	f := filepath.Join(c.RepoDir(repo), ".no_exist", commit, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f, nil, 0o644)
}

// LinkSnapshot points snapshots/<commit>/<p> at blobs/<etag> with a relative
// symlink; where symlinks are refused (Windows outside Developer Mode) or do
// not resolve, it moves the blob into the snapshot as a plain file, as
// huggingface_hub does on such filesystems.
func (c Cache) LinkSnapshot(repo, commit, p, etag string) (string, error) {
	if !IsCommit(commit) || !ValidEtag(etag) {
		return "", fmt.Errorf("hfcache: bad commit %q or etag %q", commit, etag)
	}
	if err := CheckPath(p); err != nil {
		return "", err
	}
	sp := c.SnapshotPath(repo, commit, p)
	if err := os.MkdirAll(filepath.Dir(sp), 0o755); err != nil {
		return "", fmt.Errorf("hfcache: create snapshot folder: %w", err)
	}
	depth := strings.Count(p, "/")
	target := strings.Repeat("../", depth+2) + "blobs/" + etag
	if cur, err := os.Readlink(sp); err == nil && filepath.ToSlash(cur) == target {
		return sp, nil
	}
	_ = os.Remove(sp)
	if err := os.Symlink(filepath.FromSlash(target), sp); err == nil {
		// A link that cannot be followed is no link: Windows makes symlinks
		// on network shares that it then refuses to evaluate (and Wine makes
		// ones it cannot read back).
		if _, err := os.Stat(sp); err == nil {
			return sp, nil
		}
		_ = os.Remove(sp)
	}
	if err := os.Rename(c.BlobPath(repo, etag), sp); err != nil {
		return "", fmt.Errorf("hfcache: neither a symlink nor a move into the snapshot worked: %w", err)
	}
	return sp, nil
}

// EnsureLayout creates the cache folder with CACHEDIR.TAG and the repo's
// .locks folder (huggingface_hub creates both; backup tools read the tag).
func (c Cache) EnsureLayout(repo string) error {
	if err := os.MkdirAll(filepath.Join(c.RepoDir(repo), "blobs"), 0o755); err != nil {
		return fmt.Errorf("hfcache: create %s: %w", c.Dir, err)
	}
	_ = os.MkdirAll(filepath.Join(c.Dir, ".locks", filepath.Base(c.RepoDir(repo))), 0o755)
	tag := filepath.Join(c.Dir, "CACHEDIR.TAG")
	if _, err := os.Stat(tag); errors.Is(err, fs.ErrNotExist) {
		_ = os.WriteFile(tag, []byte("Signature: 8a477f597d28d172789f06886806bc55\n"+
			"# This file is a cache directory tag created by huggingface_hub.\n"+
			"# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n"), 0o644)
	}
	return nil
}
