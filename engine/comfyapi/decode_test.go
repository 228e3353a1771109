package comfyapi

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestDecodeBinary(t *testing.T) {
	be := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	meta := []byte(`{"node_id":"12","prompt_id":"p1","image_type":"image/jpeg"}`)
	tests := []struct {
		name  string
		frame []byte
		want  Preview
		err   error
	}{
		{"code1 png", append(append(be(1), be(2)...), 0x89, 'P'), Preview{ImageType: "image/png", Image: []byte{0x89, 'P'}}, nil},
		{"code1 jpeg", append(append(be(1), be(1)...), 0xff), Preview{ImageType: "image/jpeg", Image: []byte{0xff}}, nil},
		{"code4", append(append(append(be(4), be(uint32(len(meta)))...), meta...), 0xff, 0xd8),
			Preview{PromptID: "p1", Node: "12", ImageType: "image/jpeg", Image: []byte{0xff, 0xd8}}, nil},
		{"short", []byte{0, 0}, Preview{}, ErrShortFrame},
		{"code4 lying length", append(be(4), be(1000)...), Preview{}, ErrShortFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeBinary(tt.frame)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			p := ev.(Preview)
			if p.PromptID != tt.want.PromptID || p.Node != tt.want.Node || p.ImageType != tt.want.ImageType || string(p.Image) != string(tt.want.Image) {
				t.Errorf("got %+v want %+v", p, tt.want)
			}
		})
	}
	text := append(append(be(3), be(2)...), []byte("12width: 64")...)
	ev, err := DecodeBinary(text)
	if err != nil || ev.(ProgressText).Node != "12" || ev.(ProgressText).Text != "width: 64" {
		t.Errorf("text frame: %v %+v", err, ev)
	}
}

func TestFileRefSafe(t *testing.T) {
	tests := []struct {
		ref FileRef
		ok  bool
	}{
		{FileRef{Filename: "LTX_00001_.mp4", Subfolder: "video", Type: "output"}, true},
		{FileRef{Filename: "a b (1).png", Subfolder: "", Type: "input"}, true},
		{FileRef{Filename: "../../etc/passwd", Type: "output"}, false},
		{FileRef{Filename: "..", Type: "output"}, false},
		{FileRef{Filename: "/etc/passwd", Type: "output"}, false},
		{FileRef{Filename: `..\..\win.ini`, Type: "output"}, false},
		{FileRef{Filename: "C:evil.mp4", Type: "output"}, false},
		{FileRef{Filename: "ok.mp4", Subfolder: "../..", Type: "output"}, false},
		{FileRef{Filename: "ok.mp4", Subfolder: "/tmp", Type: "output"}, false},
		{FileRef{Filename: "ok.mp4", Subfolder: "a/../../b", Type: "output"}, false},
		{FileRef{Filename: "ok.mp4", Type: "../x"}, false},
		{FileRef{Filename: "nul\x00.mp4", Type: "output"}, false},
		{FileRef{Filename: "-rf", Type: "output"}, false},
	}
	for _, tt := range tests {
		if err := tt.ref.Safe(); (err == nil) != tt.ok {
			t.Errorf("%+v: err %v, want ok=%v", tt.ref, err, tt.ok)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"type":"executing","data":{"node":null,"prompt_id":"x"}}`))
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeText(b)
		_, _ = DecodeBinary(b)
	})
}

// ComfyUI 0.27 sends current_inputs values as they were: numbers and booleans
// beside strings (execution.py format_value), and [] for a blocked node.
func TestDecodeExecutionErrorInputs(t *testing.T) {
	frame := []byte(`{"type": "execution_error", "data": {"prompt_id": "p1", "node_id": "7", "node_type": "LTXVAddGuide",
		"executed": ["1"], "exception_message": "bad size", "exception_type": "ValueError", "traceback": [],
		"current_inputs": {"frame_idx": [0], "strength": [0.7], "latent_downscale_factor": [2.0], "crop": [true], "vae": ["<comfy.sd.VAE object>"], "x": [null]},
		"current_outputs": ["1"], "timestamp": 1}}`)
	ev, err := DecodeText(frame)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	e, ok := ev.(*ExecutionError)
	if !ok {
		t.Fatalf("got %T, want *ExecutionError", ev)
	}
	want := map[string]string{"frame_idx": "0", "strength": "0.7", "latent_downscale_factor": "2.0", "crop": "true", "vae": "<comfy.sd.VAE object>", "x": "null"}
	for k, v := range want {
		if got := e.CurrentInputs[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want [%q]", k, got, v)
		}
	}
	if e.ExceptionMessage != "bad size" || e.NodeType != "LTXVAddGuide" {
		t.Errorf("lost fields: %+v", e)
	}
	blocked := []byte(`{"type": "execution_error", "data": {"prompt_id": "p1", "node_id": "3", "node_type": "X", "executed": [],
		"exception_message": "Execution Blocked: no", "exception_type": "ExecutionBlocked", "traceback": [], "current_inputs": [], "current_outputs": []}}`)
	ev, err = DecodeText(blocked)
	if err != nil {
		t.Fatalf("decode blocked: %v", err)
	}
	if e := ev.(*ExecutionError); e.CurrentInputs != nil || e.ExceptionType != "ExecutionBlocked" {
		t.Errorf("blocked node: %+v", e)
	}
}
