package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// BenchmarkEngineTrivial is one trivial job through the whole engine:
// queue file writes, build, submit, events, history, download, sidecar.
// Compare with BenchmarkRawClient (target: ≤ 1.02× or < 20 ms added).
func BenchmarkEngineTrivial(b *testing.B) {
	_, be := newFake(b, "local", false, nil)
	dir := b.TempDir()
	e, err := New(Config{QueueDir: dir, OutputDir: filepath.Join(dir, "videos"), Builder: BuilderFunc(testGraph),
		Backends: []Backend{be}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ch, stop := e.Subscribe()
	defer stop()
	run(b, e)
	f := form("trivial")
	b.ResetTimer()
	for b.Loop() {
		j, err := e.Submit(f)
		if err != nil {
			b.Fatal(err)
		}
		if j = waitFor(b, e, ch, j.ID, finished); j.State != Done {
			b.Fatal(j.Error)
		}
	}
}

// BenchmarkRawClient is the floor: POST the same prompt on an open socket
// and wait for executing{node:null}.
func BenchmarkRawClient(b *testing.B) {
	_, be := newFake(b, "local", false, nil)
	ctx := context.Background()
	clientID := uuid.NewString()
	conn, _, err := websocket.Dial(ctx, strings.Replace(be.URL, "http", "ws", 1)+"/ws?clientId="+clientID, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.CloseNow()
	built, _ := testGraph(form("trivial"), nil)
	b.ResetTimer()
	for b.Loop() {
		pid := uuid.NewString()
		body, _ := json.Marshal(map[string]any{"prompt": built.Prompt, "client_id": clientID, "prompt_id": pid})
		resp, err := http.Post(be.URL+"/api/prompt", "application/json", bytes.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err)
		}
		resp.Body.Close()
		for {
			_, msg, err := conn.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var m struct {
				Type string `json:"type"`
				Data struct {
					Node     *string `json:"node"`
					PromptID string  `json:"prompt_id"`
				} `json:"data"`
			}
			_ = json.Unmarshal(msg, &m)
			if m.Type == "executing" && m.Data.Node == nil && m.Data.PromptID == pid {
				break
			}
		}
	}
}
