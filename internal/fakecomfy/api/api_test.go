package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	shared "github.com/ltxstudio/ltx-studio/internal/recordings"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

func sharedComfy(t testing.TB) string { t.Helper(); return shared.ComfyUI(t) }

type rec struct {
	Case     string          `json:"case"`
	Kind     string          `json:"kind"`
	Dir      string          `json:"dir"`
	Path     string          `json:"path"`
	Variant  string          `json:"variant"`
	Request  json.RawMessage `json:"request"`
	Status   int             `json:"http_status"`
	BodyText string          `json:"body_text"`
	Msg      struct {
		Type string `json:"type"`
	} `json:"msg"`
}

func recordings(t *testing.T) (string, []rec) {
	dir := sharedComfy(t)
	f, err := os.Open(filepath.Join(dir, "ws_transcripts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r rec
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return dir, out
}

func newServer(t *testing.T, dir string) (*Server, *httptest.Server) {
	s := New(Options{ObjectInfoPath: filepath.Join(dir, "object_info.json"), OutputDir: t.TempDir(), InputDir: t.TempDir()})
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// TestValidationMatchesRecordings posts every recorded rejected prompt and
// expects the recorded 400 body, byte for byte once parsed.
func TestValidationMatchesRecordings(t *testing.T) {
	dir, recs := recordings(t)
	_, ts := newServer(t, dir)
	n := 0
	for _, r := range recs {
		if r.Kind != "http" || r.Path != "/api/prompt" || r.Status != 400 {
			continue
		}
		n++
		t.Run(r.Variant, func(t *testing.T) {
			resp, err := http.Post(ts.URL+"/api/prompt", "application/json", bytes.NewReader(r.Request))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got, want any
			_ = json.NewDecoder(resp.Body).Decode(&got)
			_ = json.Unmarshal([]byte(r.BodyText), &want)
			if resp.StatusCode != 400 || !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("status %d\n got %s\nwant %s", resp.StatusCode, g, r.BodyText)
			}
		})
	}
	if n != 4 {
		t.Fatalf("replayed %d rejections, want 4", n)
	}
}

// TestTrivialEventOrder runs the recorded trivial prompt and expects the
// recorded sequence of event types on the socket.
func TestTrivialEventOrder(t *testing.T) {
	dir, recs := recordings(t)
	_, ts := newServer(t, dir)
	var req json.RawMessage
	var want []string
	for _, r := range recs {
		if r.Case != "trivial" {
			continue
		}
		if r.Kind == "http" {
			req = r.Request
		}
		if r.Kind == "ws" && r.Dir == "recv" {
			want = append(want, r.Msg.Type)
		}
	}
	ctx := t.Context()
	var body map[string]any
	_ = json.Unmarshal(req, &body)
	clientID := body["client_id"].(string)
	conn, _, err := websocket.Dial(ctx, strings.Replace(ts.URL, "http", "ws", 1)+"/ws?clientId="+clientID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type":"feature_flags","data":{"supports_preview_metadata":true}}`))
	first := readTypes(t, conn, 2)
	if !reflect.DeepEqual(first, []string{"status", "feature_flags"}) {
		t.Fatalf("handshake %v", first)
	}
	resp, err := http.Post(ts.URL+"/api/prompt", "application/json", bytes.NewReader(req))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	got := readTypes(t, conn, len(want))
	// The recording shows two status frames on put (ComfyUI also reports the
	// worker's get); the stand-in's order of the rest must match.
	if !reflect.DeepEqual(dedupeStatus(got), dedupeStatus(want)) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
}

func dedupeStatus(l []string) []string {
	var out []string
	for i, s := range l {
		if s == "status" && i > 0 && l[i-1] == "status" {
			continue
		}
		out = append(out, s)
	}
	return out
}

func readTypes(t *testing.T, conn *websocket.Conn, n int) []string {
	// No read deadline: a loaded machine under -race may take seconds per
	// frame, and a frame that never comes ends the test at go test's timeout.
	var out []string
	for len(out) < n {
		_, b, err := conn.Read(t.Context())
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		var m struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(b, &m)
		out = append(out, m.Type)
	}
	return out
}
