package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/models/hfcache"
)

const upscalerPath = "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"

func (fx *fixture) upscalerBlob() string {
	return hfcache.Cache{Dir: fx.cacheDir}.BlobPath("Lightricks/LTX-2.3", fx.etag("Lightricks/LTX-2.3", upscalerPath))
}

func TestTruncatedBlobIsMissingAndFetchedAgain(t *testing.T) {
	fx := newFixture(t)
	s := fx.store(nil)
	ctx := context.Background()
	if err := s.Ensure(ctx, []Ref{upscaler}, nil); err != nil {
		t.Fatal(err)
	}
	blob := fx.upscalerBlob()
	if err := os.Truncate(blob, 1_000_000); err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(ctx, []Ref{upscaler})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Complete() || plan.MissingBytes != 3_000_000 {
		t.Fatalf("plan for a truncated blob: present=%v missing=%d; want missing, 3 MB", plan.Files[0].Present, plan.MissingBytes)
	}
	if _, err := s.SHA256(ctx, upscaler); err == nil {
		t.Error("a truncated file got a sha256 for the sidecar")
	}
	fx.srv.Reset()
	if err := s.Ensure(ctx, []Ref{upscaler}, nil); err != nil {
		t.Fatal(err)
	}
	if fx.srv.Served() != 3_000_000 {
		t.Errorf("served %d bytes: the truncated blob was not fetched again", fx.srv.Served())
	}
	b, err := os.ReadFile(blob)
	if err != nil || string(b) != string(fx.data("Lightricks/LTX-2.3", upscalerPath)) {
		t.Fatalf("blob after pull: %d bytes, %v", len(b), err)
	}
}

func TestBitFlipIsFoundByVerifyAndRepaired(t *testing.T) {
	fx := newFixture(t)
	s := fx.store(nil)
	ctx := context.Background()
	refs := []Ref{upscaler, small, gemma}
	if err := s.Ensure(ctx, []Ref{upscaler, small}, nil); err != nil {
		t.Fatal(err)
	}
	blob := fx.upscalerBlob()
	f, err := os.OpenFile(blob, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	one := []byte{0}
	f.ReadAt(one, 1_500_000)
	one[0] ^= 0x10
	f.WriteAt(one, 1_500_000)
	f.Close()

	// Same size: status cannot tell, the sidecar hash must.
	if sum, err := s.SHA256(ctx, upscaler); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("the sidecar would record %q for a damaged file (err %v)", sum, err)
	}
	var ticks []VerifyProgress
	res, err := s.Verify(ctx, refs, func(p VerifyProgress) { ticks = append(ticks, p) })
	if err != nil {
		t.Fatal(err)
	}
	got := map[Ref]VerifyState{}
	for _, r := range res {
		got[r.File] = r.State
	}
	if got[upscaler] != VerifyDamaged || got[small] != VerifyOK || got[gemma] != VerifyMissing {
		t.Fatalf("verdicts %v", got)
	}
	if len(ticks) == 0 || ticks[len(ticks)-1].AllDone != ticks[len(ticks)-1].AllTotal {
		t.Errorf("progress %v", ticks)
	}
	fx.srv.Reset()
	if _, err := s.Repair(ctx, []Ref{upscaler, small}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if fx.srv.Served() != 3_000_000 {
		t.Errorf("repair fetched %d bytes, want just the damaged file's 3 MB", fx.srv.Served())
	}
	res, err = s.Verify(ctx, []Ref{upscaler, small}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.State != VerifyOK {
			t.Errorf("after repair %v is %s: %s", r.File, r.State, r.Detail)
		}
	}
	if sum, err := s.SHA256(ctx, upscaler); err != nil || sum != fx.etag("Lightricks/LTX-2.3", upscalerPath) {
		t.Errorf("after repair: %q %v", sum, err)
	}
}

// A disk with exactly the download's size free is refused: filling it to
// the last byte would break ComfyUI and the system.
func TestFreeSpaceKeepsAMargin(t *testing.T) {
	fx := newFixture(t)
	const need = 3_000_000
	for _, tc := range []struct {
		free uint64
		ok   bool
	}{{need, false}, {need + 1<<30 - 1, false}, {need + 1<<30, true}} {
		s := fx.store(func(o *Options) {
			o.Download.FreeSpace = func(string) (uint64, error) { return tc.free, nil }
		})
		plan, err := s.Plan(context.Background(), []Ref{upscaler})
		if err != nil || plan.Fits() != tc.ok {
			t.Errorf("free %d: plan fits=%v (%v), want %v", tc.free, plan.Fits(), err, tc.ok)
		}
	}
	s := fx.store(func(o *Options) {
		o.Download.FreeSpace = func(string) (uint64, error) { return need, nil }
	})
	if err := s.Ensure(context.Background(), []Ref{upscaler}, nil); err == nil || !strings.Contains(err.Error(), "kept free") {
		t.Errorf("pull onto a disk with exactly the file's size free: %v", err)
	}
	if len(fx.srv.Ranges()) != 0 {
		t.Error("bytes were fetched")
	}
}

// BenchmarkVerify measures `models verify` on a cached file: the sha256 of
// the bytes read back from disk (page cache warm after the first round).
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	data := payload(9, 64<<20)
	sum := sha256.Sum256(data)
	etag := hex.EncodeToString(sum[:])
	makeHFCache(b, dir, "org/big", commitA, "big.safetensors", data, etag)
	s := New(Options{Registry: Registry{Version: "bench", Files: []File{hf("org/big", "big.safetensors", "checkpoints")}},
		Env: hfcache.Env{CacheDir: dir, Offline: true}})
	ref := Ref{"checkpoints", "big.safetensors"}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		res, err := s.Verify(context.Background(), []Ref{ref}, nil)
		if err != nil || res[0].State != VerifyOK {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
