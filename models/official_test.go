package models

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// officialList is official_urls.json: every file the app may download, with
// the official page (repository, path, commit) that lists its URL.
type officialList struct {
	Files []struct {
		URL     string `json:"url"`
		Folder  string `json:"folder"`
		Release string `json:"release"`
		Sources []struct {
			Repo, Path, Commit string
		} `json:"sources"`
	} `json:"files"`
}

var commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Every registry entry is on the recorded list of official URLs, in the same
// ComfyUI folder, and every listed URL says where it was found. A name that
// no official source lists cannot enter the registry.
func TestRegistryEntriesAreOfficial(t *testing.T) {
	raw, err := os.ReadFile("official_urls.json")
	if err != nil {
		t.Fatal(err)
	}
	var list officialList
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("official_urls.json: %v", err)
	}
	folder := map[string]string{}
	for _, f := range list.Files {
		if !strings.HasPrefix(f.URL, "https://huggingface.co/") || !strings.Contains(f.URL, "/resolve/main/") {
			t.Errorf("%s: not a hub download URL", f.URL)
		}
		if len(f.Sources) == 0 {
			t.Errorf("%s: no source", f.URL)
		}
		for _, s := range f.Sources {
			if s.Repo == "" || s.Path == "" || !commitHash.MatchString(s.Commit) {
				t.Errorf("%s: source %+v lacks a repository, path or full commit", f.URL, s)
			}
		}
		folder[f.URL] = f.Folder
	}
	for _, f := range LTX23().Files {
		got, ok := folder[f.URL()]
		if !ok {
			t.Errorf("%s (%s) is not on the official list", f.URL(), f.Ref())
			continue
		}
		if got != f.Folder {
			t.Errorf("%s: registry folder %s, official list %s", f.URL(), f.Folder, got)
		}
	}
	if len(list.Files) != len(LTX23().Files) {
		t.Errorf("official list has %d files, registry %d: keep them in step", len(list.Files), len(LTX23().Files))
	}
}
