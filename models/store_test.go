package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/models/download"
	"github.com/ltxstudio/ltx-studio/models/hfcache"
	"github.com/ltxstudio/ltx-studio/models/hftest"
	"github.com/ltxstudio/ltx-studio/models/link"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
	token   = "hf_testTOKENsecret123"
)

func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// fixture is a stand-in hub with three repos, a registry naming their files,
// and a store pointed at a fresh cache and ComfyUI folder.
type fixture struct {
	srv      *hftest.Server
	repos    map[string]hftest.Repo
	reg      Registry
	cacheDir string
	comfy    string
	lockPath string
}

var (
	upscaler = Ref{"latent_upscale_models", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"}
	gemma    = Ref{"text_encoders", "gemma_3_12B_it_fp4_mixed.safetensors"}
	small    = Ref{"vae", "config.json"}
	gated    = Ref{"loras", "gated.safetensors"}
	absent   = Ref{"loras", "missing.safetensors"}
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{
		repos: map[string]hftest.Repo{
			"Lightricks/LTX-2.3": {Commit: commitA, Files: map[string]hftest.File{
				"ltx-2.3-spatial-upscaler-x2-1.0.safetensors": {Data: payload(1, 3_000_000), LFS: true},
				"config.json": {Data: []byte(`{"small": "non-LFS file"}`)},
			}},
			"Comfy-Org/ltx-2": {Commit: commitB, Files: map[string]hftest.File{
				"split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors": {Data: payload(2, 2_000_000), LFS: true},
			}},
			"Lightricks/Gated": {Commit: commitA, Gated: true, Files: map[string]hftest.File{
				"gated.safetensors": {Data: payload(3, 100_000), LFS: true},
			}},
		},
		reg: Registry{Version: "test", Files: []File{
			hf("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors", "latent_upscale_models"),
			hf("Lightricks/LTX-2.3", "config.json", "vae"),
			hf("Comfy-Org/ltx-2", "split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors", "text_encoders"),
			hf("Lightricks/Gated", "gated.safetensors", "loras"),
			hf("Lightricks/LTX-2.3", "missing.safetensors", "loras"),
		}},
	}
	fx.srv = hftest.New(fx.repos)
	fx.srv.Token = token
	t.Cleanup(fx.srv.Close)
	dir := t.TempDir()
	fx.cacheDir = filepath.Join(dir, "hf", "hub")
	fx.comfy = filepath.Join(dir, "ComfyUI")
	fx.lockPath = filepath.Join(dir, "models.lock.json")
	return fx
}

func (fx *fixture) store(mod func(*Options)) *Store {
	opt := Options{
		Registry: fx.reg,
		Env:      hfcache.Env{CacheDir: fx.cacheDir, Endpoint: fx.srv.URL()},
		LockPath: fx.lockPath,
		ComfyUI:  fx.comfy,
		Download: download.Config{MinPartSize: 256 << 10, Backoff: 10 * time.Millisecond, SaveEvery: 20 * time.Millisecond,
			StallTimeout: 10 * time.Second},
		SampleEvery: 10 * time.Millisecond,
	}
	if mod != nil {
		mod(&opt)
	}
	return New(opt)
}

func (fx *fixture) data(repo, p string) []byte { return fx.repos[repo].Files[p].Data }

func (fx *fixture) etag(repo, p string) string { return fx.repos[repo].Files[p].Etag() }

func TestFreshDownloadWritesHFLayoutAndLinks(t *testing.T) {
	fx := newFixture(t)
	s := fx.store(nil)
	ctx := context.Background()
	refs := []Ref{upscaler, gemma, small}

	plan, err := s.Plan(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Complete() || plan.MissingBytes != 3_000_000+2_000_000+int64(len(fx.data("Lightricks/LTX-2.3", "config.json"))) || plan.UnknownSizes != 0 || plan.FreeBytes == 0 {
		t.Fatalf("plan before download: %+v", plan)
	}
	var events []Progress
	if err := s.Ensure(ctx, refs, func(p Progress) { events = append(events, p) }); err != nil {
		t.Fatal(err)
	}

	cache := hfcache.Cache{Dir: fx.cacheDir}
	for _, c := range []struct{ repo, commit, path string }{
		{"Lightricks/LTX-2.3", commitA, "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"},
		{"Lightricks/LTX-2.3", commitA, "config.json"},
		{"Comfy-Org/ltx-2", commitB, "split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors"},
	} {
		etag := fx.etag(c.repo, c.path)
		blob, err := os.ReadFile(cache.BlobPath(c.repo, etag))
		if err != nil || !bytes.Equal(blob, fx.data(c.repo, c.path)) {
			t.Fatalf("blob of %s: %v", c.path, err)
		}
		target, err := os.Readlink(cache.SnapshotPath(c.repo, c.commit, c.path))
		want := strings.Repeat("../", strings.Count(c.path, "/")+2) + "blobs/" + etag
		if err != nil || target != want {
			t.Errorf("snapshot link of %s = %q, %v; want relative %q", c.path, target, err, want)
		}
		ref, _ := os.ReadFile(filepath.Join(cache.RepoDir(c.repo), "refs", "main"))
		if string(ref) != c.commit {
			t.Errorf("refs/main of %s = %q, want the commit without newline", c.repo, ref)
		}
		if _, err := os.Stat(download.Incomplete(cache.BlobPath(c.repo, etag))); err == nil {
			t.Errorf("partial file of %s left behind", c.path)
		}
	}
	for _, r := range refs {
		got, err := os.ReadFile(filepath.Join(fx.comfy, "models", r.Folder, r.Name))
		f, _ := fx.reg.Lookup(r.Folder, r.Name)
		if err != nil || !bytes.Equal(got, fx.data(f.Repo, f.PathInRepo)) {
			t.Errorf("ComfyUI does not see %s: %v", r, err)
		}
	}
	lk, err := LoadLock(fx.lockPath)
	if err != nil || len(lk.Files) != 3 {
		t.Fatalf("lock: %+v %v", lk, err)
	}
	e := lk.Files[fx.reg.Files[0].Key()]
	if e.Commit != commitA || e.Size != 3_000_000 || e.SHA256 != fx.etag("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors") {
		t.Errorf("lock entry = %+v", e)
	}
	if len(events) == 0 || events[len(events)-1].Phase != PhaseLinked || events[len(events)-1].Link.Results[0].Method != link.Symlink {
		t.Errorf("last event should report the links: %+v", events[len(events)-1])
	}
	var sawDone bool
	for _, ev := range events {
		if ev.Phase == PhaseDone && ev.File == upscaler && ev.Done == 3_000_000 {
			sawDone = true
		}
	}
	if !sawDone {
		t.Error("no done event for the upscaler")
	}
	// Requests: HEAD on the hub for each, GET on storage for LFS, GET on the
	// hub for the small file.
	var heads, storage int
	for _, r := range fx.srv.Requests() {
		switch {
		case strings.HasPrefix(r, "HEAD hub "):
			heads++
		case strings.HasPrefix(r, "GET storage "):
			storage++
		}
	}
	if heads != 3 || storage < 2 {
		t.Errorf("requests: %v", fx.srv.Requests())
	}

	// Second run: pinned, present, linked — not one request.
	fx.srv.Reset()
	if err := fx.store(nil).Ensure(ctx, refs, nil); err != nil {
		t.Fatal(err)
	}
	plan, err = fx.store(nil).Plan(ctx, refs)
	if err != nil || !plan.Complete() || plan.MissingBytes != 0 {
		t.Fatalf("plan after: %+v %v", plan, err)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("second run made %d requests: %v", n, fx.srv.Requests())
	}
}

// onDisk calls fn once the client has written at least n bytes (the server
// counts bytes into the socket, which can run ahead of the client).
func onDisk(n int64, fn func()) func(Progress) {
	var once sync.Once
	return func(p Progress) {
		if p.Done >= n {
			once.Do(fn)
		}
	}
}

func TestCancelMidwayThenResumeFetchesNoByteTwice(t *testing.T) {
	fx := newFixture(t)
	const total = 3_000_000
	fx.srv.PauseAfter.Store(1_200_000)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- fx.store(nil).Ensure(ctx, []Ref{upscaler}, onDisk(600_000, cancel)) }()
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the download never got going")
	}
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Ensure after cancel = %v", err)
	}
	cache := hfcache.Cache{Dir: fx.cacheDir}
	blob := cache.BlobPath("Lightricks/LTX-2.3", fx.etag("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"))
	have, err := download.ReadState(download.StatePath(blob))
	if err != nil || have <= 0 || have >= total {
		t.Fatalf("part state after cancel: %d bytes, %v", have, err)
	}
	if _, err := os.Stat(blob); err == nil {
		t.Fatal("a partial download was put in place as a blob")
	}
	if _, err := os.Lstat(filepath.Join(fx.comfy, "models", upscaler.Folder, upscaler.Name)); err == nil {
		t.Fatal("a partial download was linked")
	}
	plan, _ := fx.store(nil).Plan(context.Background(), []Ref{upscaler})
	if plan.MissingBytes != total-have {
		t.Errorf("plan counts %d missing, want %d", plan.MissingBytes, total-have)
	}

	// A fresh server for the resume, so late handlers of the cancelled run
	// cannot count as resume traffic.
	fx.srv.Close()
	fx.srv = hftest.New(fx.repos)
	defer fx.srv.Close()
	if err := fx.store(nil).Ensure(context.Background(), []Ref{upscaler}, nil); err != nil {
		t.Fatal(err)
	}
	var again int64
	for _, r := range fx.srv.Ranges() {
		again += r.End - r.Start
	}
	if again != total-have {
		t.Errorf("resume fetched %d bytes, want exactly the %d not yet on disk", again, total-have)
	}
	got, _ := os.ReadFile(blob)
	if !bytes.Equal(got, fx.data("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors")) {
		t.Error("resumed blob differs from the served file")
	}
}

func TestServerGoneMidwayResumesFromAnotherServer(t *testing.T) {
	fx := newFixture(t)
	fx.srv.PauseAfter.Store(700_000)
	errc := make(chan error, 1)
	s := fx.store(func(o *Options) { o.Download.MaxTries = 1 })
	reached := make(chan struct{})
	var once sync.Once
	go func() {
		errc <- s.Ensure(context.Background(), []Ref{gemma}, onDisk(350_000, func() { once.Do(func() { close(reached) }) }))
	}()
	<-reached
	fx.srv.Close() // the "network" dies mid-transfer
	if err := <-errc; err == nil {
		t.Fatal("Ensure succeeded with the server gone")
	}
	srv2 := hftest.New(fx.repos)
	defer srv2.Close()
	fx.srv = srv2
	if err := fx.store(nil).Ensure(context.Background(), []Ref{gemma}, nil); err != nil {
		t.Fatal(err)
	}
	var again int64
	for _, r := range srv2.Ranges() {
		again += r.End - r.Start
	}
	if again >= 2_000_000 {
		t.Errorf("resume refetched everything (%d bytes)", again)
	}
}

func TestCorruptByteFailsVerificationAndLeavesNothing(t *testing.T) {
	fx := newFixture(t)
	etag := fx.etag("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors")
	fx.srv.Corrupt = etag
	err := fx.store(nil).Ensure(context.Background(), []Ref{upscaler}, nil)
	var ve *download.VerifyError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "failed verification") || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("err = %v, want a verification failure that says the file was deleted", err)
	}
	blob := hfcache.Cache{Dir: fx.cacheDir}.BlobPath("Lightricks/LTX-2.3", etag)
	for _, p := range []string{blob, download.Incomplete(blob), download.StatePath(blob),
		hfcache.Cache{Dir: fx.cacheDir}.SnapshotPath("Lightricks/LTX-2.3", commitA, upscaler.Name),
		filepath.Join(fx.comfy, "models", upscaler.Folder, upscaler.Name)} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s left behind after a failed verification", p)
		}
	}
}

func TestDiskFullIsRefusedBeforeAnyByte(t *testing.T) {
	fx := newFixture(t)
	s := fx.store(func(o *Options) {
		o.Download.FreeSpace = func(string) (uint64, error) { return 1_000_000, nil }
	})
	plan, err := s.Plan(context.Background(), []Ref{upscaler, gemma})
	if err != nil || plan.Fits() || plan.FreeBytes != 1_000_000 {
		t.Fatalf("plan should say it does not fit: %+v %v", plan, err)
	}
	err = s.Ensure(context.Background(), []Ref{upscaler, gemma}, nil)
	var se *download.SpaceError
	if !errors.As(err, &se) || se.Need != 5_000_000 || !strings.Contains(err.Error(), "5.0 MB needed plus 1.1 GB kept free for ComfyUI and the system, 1.0 MB free") {
		t.Fatalf("err = %v", err)
	}
	if len(fx.srv.Ranges()) != 0 {
		t.Errorf("bytes were fetched despite a full disk: %v", fx.srv.Ranges())
	}
}

func TestOfflineUsesCacheAndRefusesToFetch(t *testing.T) {
	fx := newFixture(t)
	if err := fx.store(nil).Ensure(context.Background(), []Ref{upscaler}, nil); err != nil {
		t.Fatal(err)
	}
	os.Remove(fx.lockPath) // offline must work from refs/ + snapshots/ alone
	os.RemoveAll(fx.comfy)
	fx.srv.Reset()
	s := fx.store(func(o *Options) { o.Env.Offline = true })
	err := s.Ensure(context.Background(), []Ref{upscaler, gemma}, nil)
	if err == nil || !strings.Contains(err.Error(), "HF_HUB_OFFLINE") || !strings.Contains(err.Error(), gemma.Name) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(fx.comfy, "models", upscaler.Folder, upscaler.Name)); err != nil {
		t.Errorf("cached file not linked offline: %v", err)
	}
	plan, err := s.Plan(context.Background(), []Ref{upscaler, gemma})
	if err != nil || plan.Files[0].Present != true || plan.Files[1].Present || plan.UnknownSizes != 1 {
		t.Errorf("offline plan: %+v %v", plan, err)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Errorf("offline mode made %d requests", n)
	}
}

// makeHFCache writes a cache exactly as huggingface_hub 1.33 did in the
// recording (shared/hf/cache_tree_huggingface_hub_1.33.txt).
func makeHFCache(t testing.TB, dir, repo, commit, p string, data []byte, etag string) {
	t.Helper()
	rd := filepath.Join(dir, "models--"+strings.ReplaceAll(repo, "/", "--"))
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(rd, "blobs"), 0o755))
	must(os.MkdirAll(filepath.Join(rd, "refs"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, ".locks", filepath.Base(rd)), 0o755))
	must(os.WriteFile(filepath.Join(dir, ".locks", filepath.Base(rd), etag+".lock"), nil, 0o644))
	must(os.WriteFile(filepath.Join(rd, "blobs", etag), data, 0o644))
	must(os.WriteFile(filepath.Join(rd, "refs", "main"), []byte(commit), 0o644))
	sp := filepath.Join(rd, "snapshots", commit, filepath.FromSlash(p))
	must(os.MkdirAll(filepath.Dir(sp), 0o755))
	must(os.Symlink(strings.Repeat("../", strings.Count(p, "/")+2)+"blobs/"+etag, sp))
}

func TestExistingHFCacheIsReusedWithZeroRequests(t *testing.T) {
	fx := newFixture(t)
	gp := "split_files/text_encoders/gemma_3_12B_it_fp4_mixed.safetensors"
	makeHFCache(t, fx.cacheDir, "Comfy-Org/ltx-2", commitB, gp, fx.data("Comfy-Org/ltx-2", gp), fx.etag("Comfy-Org/ltx-2", gp))
	s := fx.store(nil)
	plan, err := s.Plan(context.Background(), []Ref{gemma})
	if err != nil || !plan.Complete() {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	if err := s.Ensure(context.Background(), []Ref{gemma}, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(fx.srv.Requests()); n != 0 {
		t.Fatalf("reusing a huggingface_hub cache made %d requests: %v", n, fx.srv.Requests())
	}
	lk, _ := LoadLock(fx.lockPath)
	if e := lk.Files["Comfy-Org/ltx-2@main:"+gp]; e.Commit != commitB || e.Etag != fx.etag("Comfy-Org/ltx-2", gp) {
		t.Errorf("found file was not pinned: %+v", e)
	}
	// A plain file in snapshots/ (Windows without symlinks) counts too.
	sp := hfcache.Cache{Dir: fx.cacheDir}.SnapshotPath("Comfy-Org/ltx-2", commitB, gp)
	os.Remove(sp)
	os.WriteFile(sp, fx.data("Comfy-Org/ltx-2", gp), 0o644)
	os.Remove(fx.lockPath)
	if plan, _ := fx.store(nil).Plan(context.Background(), []Ref{gemma}); !plan.Complete() {
		t.Errorf("plain snapshot file not accepted: %+v", plan)
	}
}

func TestGatedRepoSaysTokenAndNeverLeaksIt(t *testing.T) {
	fx := newFixture(t)
	err := fx.store(nil).Ensure(context.Background(), []Ref{gated}, nil)
	var ae *download.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "needs a Hugging Face token / licence acceptance for Lightricks/Gated") {
		t.Fatalf("err = %v", err)
	}
	fx.srv.Token = "other"
	err = fx.store(func(o *Options) { o.Env.Token = token }).Ensure(context.Background(), []Ref{gated}, nil)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "licence") {
		t.Fatalf("wrong token: %v", err)
	}
	fx.srv.Token = token
	if err := fx.store(func(o *Options) { o.Env.Token = token }).Ensure(context.Background(), []Ref{gated}, nil); err != nil {
		t.Fatal(err)
	}
	if got := (hfcache.Env{Token: token}).Redact("url?t=" + token); strings.Contains(got, token) {
		t.Error("Redact kept the token")
	}
}

func TestMissingFileLeavesNoExistMarkerAndOthersStillDownload(t *testing.T) {
	fx := newFixture(t)
	err := fx.store(nil).Ensure(context.Background(), []Ref{absent, small}, nil)
	var nf *download.NotFoundError
	if !errors.As(err, &nf) || nf.Commit != commitA {
		t.Fatalf("err = %v", err)
	}
	cache := hfcache.Cache{Dir: fx.cacheDir}
	if !cache.NoExist("Lightricks/LTX-2.3", "main", "missing.safetensors") {
		t.Error("no .no_exist marker")
	}
	if _, ok := cache.Find("Lightricks/LTX-2.3", "main", "config.json"); !ok {
		t.Error("the other file was not downloaded")
	}
	if err := fx.store(nil).Ensure(context.Background(), []Ref{{"loras", "nope.safetensors"}}, nil); err == nil || !strings.Contains(err.Error(), "no download source") {
		t.Errorf("unknown ref: %v", err)
	}
}

func TestPinnedFileChangedOnHubIsRefused(t *testing.T) {
	fx := newFixture(t)
	if _, err := fx.store(nil).Plan(context.Background(), []Ref{upscaler}); err != nil { // pins via HEAD
		t.Fatal(err)
	}
	r := fx.repos["Lightricks/LTX-2.3"]
	r.Files["ltx-2.3-spatial-upscaler-x2-1.0.safetensors"] = hftest.File{Data: payload(9, 3_000_000), LFS: true}
	err := fx.store(nil).Ensure(context.Background(), []Ref{upscaler}, nil)
	if err == nil || !strings.Contains(err.Error(), "pinned commit") {
		t.Fatalf("err = %v", err)
	}
	changed, err := fx.store(nil).UpdateLocks(context.Background(), []Ref{upscaler})
	if err != nil || len(changed) != 1 {
		t.Fatalf("UpdateLocks = %v, %v", changed, err)
	}
	if err := fx.store(nil).Ensure(context.Background(), []Ref{upscaler}, nil); err != nil {
		t.Fatalf("after explicit update: %v", err)
	}
}

func TestLTX23RegistryCoversTheContract(t *testing.T) {
	names := map[string][]string{
		"checkpoints": {"ltx-2.3-22b-dev.safetensors", "ltx-2.3-22b-distilled.safetensors", "ltx-2.3-22b-distilled-1.1.safetensors",
			"ltx-2.3-22b-dev-fp8.safetensors", "ltx-2.3-22b-distilled-fp8.safetensors"},
		"loras": {"ltx-2.3-22b-distilled-lora-384.safetensors", "ltx-2.3-22b-distilled-lora-384-1.1.safetensors",
			"ltx-2.3-22b-ic-lora-union-control-ref0.5.safetensors",
			"ltx-2-19b-lora-camera-control-dolly-in.safetensors", "ltx-2-19b-lora-camera-control-dolly-out.safetensors",
			"ltx-2-19b-lora-camera-control-dolly-left.safetensors", "ltx-2-19b-lora-camera-control-dolly-right.safetensors",
			"ltx-2-19b-lora-camera-control-jib-up.safetensors", "ltx-2-19b-lora-camera-control-jib-down.safetensors",
			"ltx-2-19b-lora-camera-control-static.safetensors"},
		"latent_upscale_models": {"ltx-2.3-spatial-upscaler-x2-1.0.safetensors", "ltx-2.3-spatial-upscaler-x2-1.1.safetensors"},
		"text_encoders":         {"gemma_3_12B_it.safetensors", "gemma_3_12B_it_fp4_mixed.safetensors"},
		"geometry_estimation":   {"moge_2_vitl_normal_fp16.safetensors"},
	}
	n := 0
	for folder, list := range names {
		for _, name := range list {
			n++
			f, ok := Lookup(folder, name)
			if !ok || f.Revision != "main" || f.SHA256 != "" || hfcache.CheckRepo(f.Repo) != nil || hfcache.CheckPath(f.PathInRepo) != nil {
				t.Errorf("%s/%s: %+v %v", folder, name, f, ok)
			}
		}
	}
	if len(LTX23().Files) != n {
		t.Errorf("registry has %d files, contract %d", len(LTX23().Files), n)
	}
}

func TestSHA256ForProvenance(t *testing.T) {
	fx := newFixture(t)
	s := fx.store(nil)
	ctx := context.Background()
	if _, err := s.SHA256(ctx, upscaler); err == nil {
		t.Error("a file not in the cache has a sha256")
	}
	if err := s.Ensure(ctx, []Ref{upscaler, small}, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ref  Ref
		data []byte
	}{{upscaler, fx.data("Lightricks/LTX-2.3", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors")}, {small, fx.data("Lightricks/LTX-2.3", "config.json")}} {
		sum := sha256.Sum256(c.data)
		got, err := s.SHA256(ctx, c.ref)
		if err != nil || got != hex.EncodeToString(sum[:]) {
			t.Errorf("%v: %q %v", c.ref, got, err)
		}
	}
	if _, err := s.SHA256(ctx, Ref{"loras", "nope.safetensors"}); err == nil {
		t.Error("unknown ref has a sha256")
	}
}
