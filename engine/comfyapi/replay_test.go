package comfyapi

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"github.com/ltxstudio/ltx-studio/internal/recordings"
	"os"
	"path/filepath"
	"testing"
)

// sharedComfy finds shared/comfyui by walking up from the package dir (CI
// keeps a read-only copy beside the clone).
func sharedComfy(t testing.TB) string { t.Helper(); return recordings.ComfyUI(t) }

type line struct {
	Case     string          `json:"case"`
	Kind     string          `json:"kind"`
	Dir      string          `json:"dir"`
	Frame    string          `json:"frame"`
	Raw      string          `json:"raw"`
	HeadHex  string          `json:"head_hex"`
	Path     string          `json:"path"`
	Status   int             `json:"http_status"`
	BodyText string          `json:"body_text"`
	History  json.RawMessage `json:"history"`
	PromptID string          `json:"prompt_id"`
	Variant  string          `json:"variant"`
}

func readTranscript(t *testing.T) []line {
	f, err := os.Open(filepath.Join(sharedComfy(t), "ws_transcripts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("transcript line: %v", err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplayTranscript decodes every recorded frame, error body and history
// entry; no recorded message may end up Unknown or fail to parse.
func TestReplayTranscript(t *testing.T) {
	lines := readTranscript(t)
	counts := map[string]int{}
	var promptErrors, histories int
	for i, l := range lines {
		switch {
		case l.Kind == "ws" && l.Dir == "recv" && l.Frame == "text":
			ev, err := DecodeText([]byte(l.Raw))
			if err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
			if u, ok := ev.(Unknown); ok {
				t.Errorf("line %d: recorded type %q decoded as Unknown", i, u.Type)
			}
			counts[typeName(ev)]++
			checkEvent(t, i, ev)
		case l.Kind == "ws" && l.Frame == "binary":
			b, _ := hex.DecodeString(l.HeadHex)
			if _, err := DecodeBinary(b); err != nil && !errors.Is(err, ErrShortFrame) {
				t.Errorf("line %d: binary: %v", i, err)
			}
		case l.Kind == "http" && l.Path == "/api/prompt" && l.Status == 400:
			pe, err := ParsePromptError([]byte(l.BodyText))
			if err != nil {
				t.Fatalf("line %d (%s): %v", i, l.Variant, err)
			}
			promptErrors++
			checkPromptError(t, l.Variant, pe)
		case l.Kind == "history" && len(l.History) > 0 && string(l.History) != "null":
			var m map[string]HistoryEntry
			if err := json.Unmarshal(l.History, &m); err != nil {
				t.Fatalf("line %d: history: %v", i, err)
			}
			if e, ok := m[l.PromptID]; ok {
				histories++
				if len(e.Events()) < 2 {
					t.Errorf("line %d: history messages did not decode", i)
				}
			}
		}
	}
	want := map[string]int{"Status": 25, "FeatureFlags": 1, "ExecutionStart": 7, "ExecutionCached": 7,
		"ProgressState": 40, "Executing": 22, "Executed": 3, "ExecutionSuccess": 3, "Progress": 13,
		"ExecutionInterrupted": 2, "ExecutionError": 2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: decoded %d, recorded %d", k, counts[k], n)
		}
	}
	if promptErrors != 4 || histories < 6 {
		t.Errorf("prompt errors %d (want 4), histories %d", promptErrors, histories)
	}
}

func typeName(ev Event) string {
	switch ev.(type) {
	case Status:
		return "Status"
	case FeatureFlags:
		return "FeatureFlags"
	case ExecutionStart:
		return "ExecutionStart"
	case ExecutionCached:
		return "ExecutionCached"
	case ProgressState:
		return "ProgressState"
	case Executing:
		return "Executing"
	case Executed:
		return "Executed"
	case ExecutionSuccess:
		return "ExecutionSuccess"
	case Progress:
		return "Progress"
	case ExecutionInterrupted:
		return "ExecutionInterrupted"
	case *ExecutionError:
		return "ExecutionError"
	}
	return "other"
}

func checkEvent(t *testing.T, i int, ev Event) {
	switch e := ev.(type) {
	case Executing:
		if e.Done != (e.Node == "") || e.PromptID == "" && e.Done {
			t.Errorf("line %d: executing %+v", i, e)
		}
	case Progress:
		if e.Max <= 0 || e.Value < 1 || e.Value > e.Max || e.Node == "" {
			t.Errorf("line %d: progress %+v", i, e)
		}
	case ProgressState:
		for id, n := range e.Nodes {
			if n.Max <= 0 || n.State == "" {
				t.Errorf("line %d: node %s state %+v", i, id, n)
			}
		}
	case Executed:
		if len(e.Output.Files()) == 0 && len(e.Output.Text) == 0 {
			t.Errorf("line %d: executed without output", i)
		}
		for _, f := range e.Output.Files() {
			if err := f.Safe(); err != nil {
				t.Errorf("line %d: recorded file refused: %v", i, err)
			}
		}
	case *ExecutionError:
		if e.NodeID == "" || e.ExceptionType == "" || e.ExceptionMessage == "" || len(e.Traceback) == 0 {
			t.Errorf("line %d: execution_error %+v", i, e)
		}
	case ExecutionInterrupted:
		if e.NodeID != "4" || e.NodeType != "VAEDecodeTiled" {
			t.Errorf("line %d: interrupted %+v", i, e)
		}
	}
}

func checkPromptError(t *testing.T, variant string, pe *PromptError) {
	want := map[string]struct{ typ, input string }{
		"unknown_class_type":      {"missing_node_type", ""},
		"missing_required_input":  {"required_input_missing", "height"},
		"value_out_of_range":      {"value_smaller_than_min", "width"},
		"combo_value_not_in_list": {"value_not_in_list", "ckpt_name"},
	}[variant]
	is := pe.Issues()
	if len(is) != 1 || is[0].Type != want.typ || is[0].Input != want.input || is[0].NodeID != "1" {
		t.Errorf("%s: issues %+v, want %+v on node 1", variant, is, want)
	}
	if pe.Error() == "" {
		t.Error("empty message")
	}
}
