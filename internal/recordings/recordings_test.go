package recordings

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// outcomeTB records how Need ended a test: Fatalf and Skipf stop the calling
// goroutine as the real ones do.
type outcomeTB struct {
	testing.TB
	failed, skipped string
}

func (o *outcomeTB) Helper() {}
func (o *outcomeTB) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (o *outcomeTB) Skipf(format string, args ...any) {
	o.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func need(t *testing.T, rel string) *outcomeTB {
	o := &outcomeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Need(o, rel)
	}()
	<-done
	return o
}

func TestNeedFailsInCIAndSkipsElsewhere(t *testing.T) {
	t.Chdir(t.TempDir())
	const missing = "no-such-recording-for-this-test"
	for _, ci := range []string{"1", "true"} {
		t.Setenv("CI", ci)
		if o := need(t, missing); o.failed == "" || o.skipped != "" {
			t.Errorf("CI=%s: failed %q, skipped %q; want a failure", ci, o.failed, o.skipped)
		}
	}
	for _, ci := range []string{"", "0", "false"} {
		t.Setenv("CI", ci)
		if o := need(t, missing); o.skipped == "" || o.failed != "" {
			t.Errorf("CI=%q: failed %q, skipped %q; want a skip", ci, o.failed, o.skipped)
		}
	}
}

func TestNeedFindsSharedBesideTheCheckout(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "shared", "comfyui"), 0o755); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "checkout", "pkg")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	t.Setenv("CI", "1")
	got := ComfyUI(t)
	if want, _ := filepath.EvalSymlinks(filepath.Join(dir, "shared", "comfyui")); mustEval(t, got) != want {
		t.Errorf("ComfyUI = %s, want %s", got, want)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
