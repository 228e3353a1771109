package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
)

// closedPort is a loopback address nothing listens on any more.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentServer accepts connections and never answers a byte.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// Every wait on a --backend server ends, with a sentence saying which wait
// and what to check; nothing is left in the queue.
func TestGenerateBackendWaitsEnd(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	// Answers /api/system_stats like ComfyUI, but its event socket never opens.
	real := api.New(api.Options{ObjectInfoPath: sharedObjectInfo(t), OutputDir: t.TempDir(), InputDir: t.TempDir()})
	noSocket := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ws") {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer noSocket.Close()
	waits := studio.Waits{Connect: 2 * time.Second, Health: 300 * time.Millisecond, Queue: 300 * time.Millisecond}
	for _, tt := range []struct{ name, url, want string }{
		{"closed port", "http://" + closedPort(t), "nothing is listening on that port"},
		{"accepts, never answers", "http://" + silentServer(t), "accepted the connection but did not answer within 300ms"},
		{"unknown name", "http://no-such-host.invalid:8188", "the name no-such-host.invalid"},
		{"not an address", "gpu-box:8188", "is not a server address"},
		{"never takes the job", noSocket.URL, "did not take the job within 300ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLIWaiting(t, waits, "generate", "--backend", tt.url, "--prompt", "a fox", "--width", "512", "--height", "320", "--seconds", "1")
			if code == 0 || !strings.Contains(errs, tt.want) || strings.Contains(errs, "dial tcp") {
				t.Fatalf("exit %d, stderr %q (want %q), stdout %q", code, errs, tt.want, out)
			}
		})
	}
	// The job given up on is cancelled, not left pending for the window.
	_, out, _ := runCLI(t, "queue", "list")
	if strings.Contains(out, "pending") {
		t.Errorf("a job was left in the queue:\n%s", out)
	}
}

// A server that dies during the job: the job is given up on it after the
// lost wait and re-queued; the retry fails, or the wait for a server to take
// it again ends, each with a sentence, instead of waiting forever.
func TestGenerateServerDiesMidJob(t *testing.T) {
	t.Setenv("LTX_STUDIO_HOME", t.TempDir())
	died := make(chan struct{})
	var once sync.Once
	srv := api.New(api.Options{ObjectInfoPath: sharedObjectInfo(t), OutputDir: t.TempDir(), InputDir: t.TempDir(),
		Die: func() { once.Do(func() { close(died) }) }})
	ts := httptest.NewServer(srv)
	go func() { <-died; ts.CloseClientConnections(); ts.Close() }()
	defer func() { once.Do(func() { close(died) }) }()
	waits := studio.Waits{Queue: 300 * time.Millisecond, Lost: 300 * time.Millisecond}
	code, out, errs := runCLIWaiting(t, waits, "generate", "--backend", ts.URL, "--prompt", "fakecomfy:die", "--width", "512",
		"--height", "320", "--seconds", "1")
	// Which of the two ends comes first depends on whether the engine still
	// thinks the server online when it retries; both are a sentence.
	if code == 0 || !(strings.Contains(errs, "did not take the job within 300ms") ||
		strings.Contains(errs, "could not be reached: nothing is listening on that port")) || strings.Contains(errs, "dial tcp") {
		t.Fatalf("exit %d\nstderr %s\nstdout %s", code, errs, out)
	}
}
