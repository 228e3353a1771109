package hfcache

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/internal/recordings"
)

func TestFromEnvResolvesLikeHuggingfaceHub(t *testing.T) {
	home, _ := os.UserHomeDir()
	hfHome := t.TempDir()
	os.WriteFile(filepath.Join(hfHome, "token"), []byte("hf_fromfile\n"), 0o600)
	tokenPath := filepath.Join(t.TempDir(), "my-token")
	os.WriteFile(tokenPath, []byte("hf_elsewhere\n"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		want Env
	}{
		{"defaults", map[string]string{},
			Env{CacheDir: filepath.Join(home, ".cache", "huggingface", "hub"), Endpoint: DefaultEndpoint}},
		{"xdg cache", map[string]string{"XDG_CACHE_HOME": "/x"},
			Env{CacheDir: filepath.FromSlash("/x/huggingface/hub"), Endpoint: DefaultEndpoint}},
		{"HF_HOME and token file", map[string]string{"HF_HOME": hfHome},
			Env{CacheDir: filepath.Join(hfHome, "hub"), Endpoint: DefaultEndpoint, Token: "hf_fromfile"}},
		{"HF_HUB_CACHE wins, HF_TOKEN wins", map[string]string{"HF_HOME": hfHome, "HF_HUB_CACHE": "/c", "HF_TOKEN": "hf_env", "HF_ENDPOINT": "http://127.0.0.1:9/", "HF_HUB_OFFLINE": "1"},
			Env{CacheDir: "/c", Endpoint: "http://127.0.0.1:9", Token: "hf_env", Offline: true}},
		{"legacy cache variable, token path", map[string]string{"HUGGINGFACE_HUB_CACHE": "/legacy", "HF_TOKEN_PATH": tokenPath},
			Env{CacheDir: "/legacy", Endpoint: DefaultEndpoint, Token: "hf_elsewhere"}},
		{"HF_HUB_CACHE over the legacy name", map[string]string{"HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HUB_CACHE": "/c"},
			Env{CacheDir: "/c", Endpoint: DefaultEndpoint}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := FromEnv(func(k string) string { return c.env[k] })
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestUnsafeNamesAreRefused(t *testing.T) {
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", "a//b", `a\b`, "."} {
		if CheckPath(p) == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	for _, r := range []string{"x", "../y", "a/b/c", "a/..", "", "a/ b"} {
		if CheckRepo(r) == nil {
			t.Errorf("repo %q accepted", r)
		}
	}
	for _, e := range []string{"../../etc", "ABC", strings.Repeat("a", 63)} {
		if ValidEtag(e) {
			t.Errorf("etag %q accepted", e)
		}
	}
}

// sharedHF is shared/hf (CI puts shared/ beside the clone).
func sharedHF(t *testing.T) string {
	t.Helper()
	return filepath.Dir(recordings.Need(t, "hf/cache_tree_huggingface_hub_1.33.txt"))
}

// Our writer must produce the very layout huggingface_hub 1.33 produced in the
// recording, and our reader must find the recorded files.
func TestLayoutMatchesRecordedHuggingfaceHubCache(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedHF(t), "cache_tree_huggingface_hub_1.33.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := Cache{Dir: t.TempDir()} // replay of the recording
	ours := Cache{Dir: t.TempDir()}
	links := 0
	// Without symlinks (Windows outside Developer Mode) huggingface_hub puts
	// the file itself in the snapshot and keeps no blob; so must we.
	symlinks := symlinksWork(t)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		typ, rest, _ := strings.Cut(sc.Text(), " ")
		p, rest, _ := strings.Cut(rest, " -> ")
		target, _, _ := strings.Cut(rest, " (")
		full := filepath.Join(rec.Dir, filepath.FromSlash(p))
		switch typ {
		case "d":
			os.MkdirAll(full, 0o755)
		case "f":
			os.MkdirAll(filepath.Dir(full), 0o755)
			content := []byte("x")
			if strings.Contains(p, "/refs/") {
				content = []byte(strings.Repeat("0", 40))
			}
			os.WriteFile(full, content, 0o644)
		case "l":
			links++
			os.MkdirAll(filepath.Dir(full), 0o755)
			if symlinks {
				os.Symlink(target, full)
			} else {
				os.WriteFile(full, []byte("x"), 0o644)
			}
			// models--Org--Name/snapshots/<commit>/<path>
			parts := strings.SplitN(p, "/", 4)
			repo := strings.Replace(strings.TrimPrefix(parts[0], "models--"), "--", "/", 1)
			commit, inRepo, etag := parts[2], parts[3], filepath.Base(target)
			os.MkdirAll(filepath.Join(ours.RepoDir(repo), "blobs"), 0o755)
			os.WriteFile(ours.BlobPath(repo, etag), []byte("x"), 0o644)
			sp, err := ours.LinkSnapshot(repo, commit, inRepo, etag)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := os.Readlink(sp); symlinks && got != target {
				t.Errorf("%s: we link to %q, huggingface_hub linked to %q", inRepo, got, target)
			}
			if b, err := os.ReadFile(sp); err != nil || string(b) != "x" {
				t.Errorf("%s: the snapshot does not read as the blob: %q %v", inRepo, b, err)
			}
			if ours.RepoDir(repo) != filepath.Join(ours.Dir, parts[0]) {
				t.Errorf("repo folder %s, recorded %s", ours.RepoDir(repo), parts[0])
			}
			// refs/main in the replay holds a placeholder; point it at the commit.
			os.WriteFile(filepath.Join(rec.RepoDir(repo), "refs", "main"), []byte(commit), 0o644)
			wantEtag := etag
			if !symlinks {
				wantEtag = "" // a plain file in the snapshot does not name its blob
			}
			if c, ok := rec.Find(repo, "main", inRepo); !ok || c.Commit != commit || c.Etag != wantEtag {
				t.Errorf("recorded %s not found: %+v", inRepo, c)
			}
		}
	}
	if links != 3 {
		t.Fatalf("parsed %d links from the recording, want 3", links)
	}
	if !rec.NoExist("Lightricks/LTX-2.3", "0123456789abcdef0123456789abcdef01234567", "missing.bin") {
		t.Error("recorded .no_exist marker not recognised")
	}
}

func TestRefsHaveNoTrailingNewline(t *testing.T) {
	c := Cache{Dir: t.TempDir()}
	commit := strings.Repeat("a", 40)
	if err := c.WriteRef("o/r", "main", commit); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(c.RepoDir("o/r"), "refs", "main"))
	if string(b) != commit {
		t.Errorf("refs/main = %q", b)
	}
	if c.WriteRef("o/r", "main", "../../x") == nil {
		t.Error("a non-commit was written as a ref")
	}
}

// symlinksWork reports whether this process can make a symlink and follow it.
func symlinksWork(t *testing.T) bool {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "target"), nil, 0o644)
	p := filepath.Join(dir, "probe")
	if os.Symlink("target", p) != nil {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}
