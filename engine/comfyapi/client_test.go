package comfyapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
)

// standIn starts the ComfyUI stand-in with the recorded object_info.
func standIn(t *testing.T, opt api.Options) (*Client, api.Options, *api.Server) {
	opt.ObjectInfoPath = filepath.Join(sharedComfy(t), "object_info.json")
	if opt.OutputDir == "" {
		opt.OutputDir = t.TempDir()
	}
	if opt.InputDir == "" {
		opt.InputDir = t.TempDir()
	}
	srv := api.New(opt)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return New(ts.URL, nil), opt, srv
}

const trivialPrompt = `{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}},
 "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "apitest/trivial%s"}}}`

func prompt(extra string) json.RawMessage {
	return json.RawMessage(strings.Replace(trivialPrompt, "%s", extra, 1))
}

// registered waits for the server's first status frame: from then on the
// server routes this client's job events to the socket.
func registered(t *testing.T, w *Watcher) {
	t.Helper()
	for ev := range w.Events() {
		if x, ok := ev.(Status); ok && x.SID != "" {
			return
		}
	}
	t.Fatal("watcher closed before the server's status")
}

// waitDone reads events until executing{null} for pid and returns them.
func waitDone(t *testing.T, w *Watcher, pid string) []Event {
	t.Helper()
	var got []Event
	ctx := t.Context()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.Events():
			got = append(got, ev)
			if x, ok := ev.(Executing); ok && x.Done && x.PromptID == pid {
				return got
			}
		case <-deadline:
			t.Fatalf("no end for %s; got %d events", pid, len(got))
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
}

func TestClientAgainstStandIn(t *testing.T) {
	c, opt, _ := standIn(t, api.Options{})
	ctx := t.Context()
	w, err := c.Watch(ctx, WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, ok := (<-w.Events()).(Connected); !ok {
		t.Fatal("first event is not Connected")
	}
	registered(t, w)

	// A rejected prompt is a *PromptError naming node and input.
	_, err = c.QueuePrompt(ctx, "", json.RawMessage(`{"1": {"class_type": "EmptyImage", "inputs": {"width": 0, "height": 64, "batch_size": 1, "color": 0}}, "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "x"}}}`))
	var pe *PromptError
	if !errors.As(err, &pe) || pe.Issues()[0].Input != "width" || pe.Issues()[0].Type != "value_smaller_than_min" {
		t.Fatalf("want PromptError on width, got %v", err)
	}

	// A run: typed events, history, view.
	res, err := c.QueuePrompt(ctx, "", prompt(""))
	if err != nil {
		t.Fatal(err)
	}
	evs := waitDone(t, w, res.PromptID)
	var out Output
	for _, ev := range evs {
		if x, ok := ev.(Executed); ok {
			out = x.Output
		}
	}
	if len(out.Images) != 1 || out.Images[0].Filename != "trivial_00001_.png" || out.Images[0].Subfolder != "apitest" {
		t.Fatalf("executed output %+v", out)
	}
	h, ok, err := c.History(ctx, res.PromptID)
	if err != nil || !ok || h.Status.StatusStr != "success" || len(h.Outputs["2"].Images) != 1 {
		t.Fatalf("history %+v %v %v", h, ok, err)
	}
	var buf bytes.Buffer
	if _, err := c.View(ctx, out.Images[0], &buf); err != nil || !strings.HasPrefix(buf.String(), "fakecomfy") {
		t.Fatalf("view: %v %q", err, buf.String())
	}
	// Hostile references are refused before any request.
	if _, err := c.View(ctx, FileRef{Filename: "../../etc/passwd", Type: "output"}, &buf); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("hostile view: %v", err)
	}

	// Upload: same bytes reuse the name, different bytes get "(1)".
	for i, body := range []string{"one", "one", "two"} {
		ref, err := c.Upload(ctx, "clip.wav", strings.NewReader(body), false)
		want := map[int]string{0: "clip.wav", 1: "clip.wav", 2: "clip (1).wav"}[i]
		if err != nil || ref.Filename != want {
			t.Errorf("upload %d: %+v %v, want %s", i, ref, err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(opt.InputDir, "clip (1).wav")); string(b) != "two" {
		t.Errorf("uploaded bytes %q", b)
	}

	// VRAM for the meter: ComfyUI's share once a job has run.
	st, err := c.SystemStats(ctx)
	if err != nil || st.System.ComfyUIVersion != "0.27.0" || st.Devices[0].ComfyUsed() <= 0 || st.Devices[0].OtherUsed() < 0 {
		t.Errorf("stats %+v %v", st.Devices, err)
	}
	if err := c.Free(ctx, true, true); err != nil {
		t.Error(err)
	}
	if st, _ := c.SystemStats(ctx); st.Devices[0].TorchVRAMTotal != 0 {
		t.Error("free did not unload")
	}
}

func TestInterruptAndDelete(t *testing.T) {
	c, _, _ := standIn(t, api.Options{Steps: 50, StepDelay: 20 * time.Millisecond})
	ctx := t.Context()
	w, err := c.Watch(ctx, WatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	registered(t, w)
	a, err := c.QueuePrompt(ctx, "", json.RawMessage(`{"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}},
 "2": {"class_type": "VAELoader", "inputs": {"vae_name": "pixel_space"}},
 "3": {"class_type": "VAEEncode", "inputs": {"pixels": ["1", 0], "vae": ["2", 0]}},
 "4": {"class_type": "VAEDecodeTiled", "inputs": {"samples": ["3", 0], "vae": ["2", 0], "tile_size": 256, "overlap": 64, "temporal_size": 64, "temporal_overlap": 8}},
 "5": {"class_type": "SaveImage", "inputs": {"images": ["4", 0], "filename_prefix": "x"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.QueuePrompt(ctx, "", prompt("B"))
	for ev := range w.Events() {
		if p, ok := ev.(Progress); ok && p.PromptID == a.PromptID {
			break
		}
	}
	q, err := c.Queue(ctx)
	if err != nil || len(q.Running) != 1 || q.Running[0] != a.PromptID || !q.Has(b.PromptID) {
		t.Fatalf("queue %+v %v", q, err)
	}
	if err := c.DeletePending(ctx, b.PromptID); err != nil {
		t.Fatal(err)
	}
	if err := c.Interrupt(ctx, a.PromptID); err != nil {
		t.Fatal(err)
	}
	var interrupted bool
	for _, ev := range waitDone(t, w, a.PromptID) {
		if x, ok := ev.(ExecutionInterrupted); ok && x.NodeID == "4" && x.NodeType == "VAEDecodeTiled" {
			interrupted = true
		}
	}
	if !interrupted {
		t.Error("no execution_interrupted")
	}
	if _, ok, _ := c.History(ctx, b.PromptID); ok {
		t.Error("deleted job ran")
	}
}

func TestWatcherReconnects(t *testing.T) {
	c, _, srv := standIn(t, api.Options{})
	ctx := t.Context()
	w, err := c.Watch(ctx, WatchOptions{MinBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for ev := range w.Events() { // Connected, then the server's status
		if x, ok := ev.(Status); ok && x.SID != "" {
			break
		}
	}
	srv.DropSockets()
	// The server's first frame (status with sid) says it has registered
	// the new socket; events sent before that are lost, as with ComfyUI.
	var sawDown, sawUp bool
	for ev := range w.Events() {
		switch x := ev.(type) {
		case Disconnected:
			sawDown = true
		case Connected:
			sawUp = x.Reconnect
		case Status:
			if sawUp && x.SID != "" {
				goto up
			}
		}
	}
up:
	if !sawDown || !sawUp {
		t.Fatalf("down %v up %v", sawDown, sawUp)
	}
	res, err := c.QueuePrompt(ctx, "", prompt(""))
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, w, res.PromptID) // events flow again on the new socket
	w.Close()
	if _, err := w.Next(ctx); !errors.Is(err, ErrWatcherClosed) {
		t.Errorf("after close: %v", err)
	}
}

func TestDialErrorHidesPassword(t *testing.T) {
	c := New("http://me:s3cret@127.0.0.1:1", nil)
	_, err := c.dial(t.Context())
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v", err)
	}
}
