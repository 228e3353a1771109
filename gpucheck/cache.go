package main

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

// runCache puts each synthetic file into the Hugging Face cache exactly as
// huggingface_hub lays a download out (blobs/<sha256>, snapshots/<commit>/<path>
// as a relative link, refs/main), then links the files into ComfyUI with the
// app's model store, the same call `ltx-studio models link` makes.
func runCache(args []string) error {
	fs := flag.NewFlagSet("cache", flag.ContinueOnError)
	weights := fs.String("weights", "", "folder with KIND.safetensors + KIND.sha256 from make_weights.py")
	comfy := fs.String("comfyui", "", "ComfyUI folder to link into")
	lock := fs.String("lock", "", "lock file (default: beside the cache)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	env := hfcache.FromEnv(os.Getenv)
	if *weights == "" || *comfy == "" {
		return errors.New("cache needs -weights and -comfyui")
	}
	m, err := manifest()
	if err != nil {
		return err
	}
	cache := hfcache.Cache{Dir: env.CacheDir}
	refs := make([]models.Ref, 0, len(m))
	for _, e := range m {
		if err := place(cache, e, *weights); err != nil {
			return err
		}
		refs = append(refs, e.Ref())
	}
	if *lock == "" {
		*lock = filepath.Join(filepath.Dir(env.CacheDir), "gpucheck.lock.json")
	}
	st := models.New(models.Options{Env: env, LockPath: *lock, ComfyUI: *comfy})
	rep, err := st.Link(refs)
	for _, r := range rep.Results {
		fmt.Printf("linked %-60s %s (%s)\n", r.Folder+"/"+r.Name, r.Method, r.Action)
	}
	return err
}

// snapshotCommit is the commit the synthetic snapshots are filed under: a
// fixed, obviously made-up hash per repo.
func snapshotCommit(repo string) string {
	h := sha1.Sum([]byte("gpucheck synthetic " + repo))
	return hex.EncodeToString(h[:])
}

func place(cache hfcache.Cache, e entry, weights string) error {
	src := filepath.Join(weights, e.Kind+".safetensors")
	sum, err := os.ReadFile(filepath.Join(weights, e.Kind+".sha256"))
	if err != nil {
		return fmt.Errorf("%s: no synthetic %s weights (%w)", e.Ref(), e.Kind, err)
	}
	etag := strings.TrimSpace(string(sum))
	if !hfcache.ValidEtag(etag) {
		return fmt.Errorf("%s: bad sha256 %q", src, etag)
	}
	if err := cache.EnsureLayout(e.Repo); err != nil {
		return err
	}
	blob := cache.BlobPath(e.Repo, etag)
	if _, err := os.Stat(blob); err != nil {
		// A hard link: the same bytes stand in for several registry files.
		if err := os.Link(src, blob); err != nil {
			return fmt.Errorf("place %s: %w", e.Ref(), err)
		}
	}
	commit := snapshotCommit(e.Repo)
	if _, err := cache.LinkSnapshot(e.Repo, commit, e.PathInRepo, etag); err != nil {
		return err
	}
	return cache.WriteRef(e.Repo, e.Revision, commit)
}
