package comfyapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// FileRef names a file ComfyUI wrote or holds (output, input or temp folder).
// The fields come from the server: check them with Safe before any use.
type FileRef struct {
	Filename  string `json:"filename"`
	Subfolder string `json:"subfolder"`
	Type      string `json:"type"`
	Format    string `json:"format,omitempty"` // VHS_VideoCombine: "video/h264-mp4"
}

// Output is the UI dict of an output node. Core SaveVideo reports videos
// under Images with Animated set; VideoHelperSuite uses Gifs.
type Output struct {
	Images   []FileRef `json:"images,omitempty"`
	Gifs     []FileRef `json:"gifs,omitempty"`
	Audio    []FileRef `json:"audio,omitempty"`
	Animated []bool    `json:"animated,omitempty"`
	Text     []string  `json:"text,omitempty"`
}

// Files lists every file of the output, videos first.
func (o Output) Files() []FileRef {
	out := append([]FileRef(nil), o.Gifs...)
	out = append(out, o.Images...)
	return append(out, o.Audio...)
}

// ErrUnsafeName is returned for a server-supplied file name that could
// escape its folder.
var ErrUnsafeName = errors.New("unsafe file name from server")

// Safe checks that a server-supplied reference stays inside ComfyUI's
// folders: a plain file name, a relative subfolder without "..", a known type.
func (f FileRef) Safe() error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %q in %q: %s", ErrUnsafeName, f.Filename, f.Subfolder, why)
	}
	if why := badName(f.Filename); why != "" {
		return bad(why)
	}
	if f.Subfolder != "" {
		s := strings.ReplaceAll(f.Subfolder, `\`, "/")
		if strings.HasPrefix(s, "/") || strings.Contains(s, ":") || strings.ContainsRune(s, 0) {
			return bad("absolute subfolder")
		}
		for _, part := range strings.Split(s, "/") {
			if part == ".." {
				return bad("subfolder climbs out")
			}
		}
		if path.Clean(s) != strings.TrimSuffix(s, "/") && path.Clean(s) != s {
			return bad("subfolder not clean")
		}
	}
	switch f.Type {
	case "", "output", "input", "temp":
	default:
		return bad("unknown folder type " + f.Type)
	}
	return nil
}

// badName says why a file name is unusable, or "".
func badName(n string) string {
	switch {
	case n == "" || n == "." || n == "..":
		return "empty or dot name"
	case strings.ContainsAny(n, `/\:`+"\x00"):
		return "separator in file name"
	case strings.HasPrefix(n, "-"):
		return "leading dash"
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f {
			return "control character"
		}
	}
	return ""
}

// HistoryEntry is one job in /api/history.
type HistoryEntry struct {
	PromptID string            `json:"-"`
	Outputs  map[string]Output `json:"outputs"`
	Status   struct {
		StatusStr string              `json:"status_str"` // success | error
		Completed bool                `json:"completed"`
		Messages  [][]json.RawMessage `json:"messages"`
	} `json:"status"`
}

// Events decodes the status messages kept in history (execution_start,
// execution_error …) into the same typed events as the WebSocket.
func (h HistoryEntry) Events() []Event {
	var out []Event
	for _, m := range h.Status.Messages {
		if len(m) != 2 {
			continue
		}
		var typ string
		if json.Unmarshal(m[0], &typ) != nil {
			continue
		}
		frame, _ := json.Marshal(map[string]json.RawMessage{"type": json.RawMessage(m[0]), "data": m[1]})
		if ev, err := DecodeText(frame); err == nil {
			out = append(out, ev)
		}
	}
	return out
}

// Device is one entry of system_stats.devices.
type Device struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	VRAMTotal      int64  `json:"vram_total"`
	VRAMFree       int64  `json:"vram_free"`
	TorchVRAMTotal int64  `json:"torch_vram_total"` // reserved by ComfyUI's torch
	TorchVRAMFree  int64  `json:"torch_vram_free"`  // reserved but unused
}

// ComfyUsed is what ComfyUI's torch holds on the device.
func (d Device) ComfyUsed() int64 { return d.TorchVRAMTotal - d.TorchVRAMFree }

// OtherUsed is VRAM in use by other processes (and the driver).
func (d Device) OtherUsed() int64 {
	o := d.VRAMTotal - d.VRAMFree - d.TorchVRAMTotal
	if o < 0 {
		return 0
	}
	return o
}

// SystemStats is /api/system_stats.
type SystemStats struct {
	System struct {
		OS             string   `json:"os"`
		RAMTotal       int64    `json:"ram_total"`
		RAMFree        int64    `json:"ram_free"`
		ComfyUIVersion string   `json:"comfyui_version"`
		PythonVersion  string   `json:"python_version"`
		PytorchVersion string   `json:"pytorch_version"`
		Argv           []string `json:"argv"`
	} `json:"system"`
	Devices []Device `json:"devices"`
}

// QueueResponse is the 200 answer of POST /api/prompt.
type QueueResponse struct {
	PromptID   string               `json:"prompt_id"`
	Number     int                  `json:"number"`
	NodeErrors map[string]NodeError `json:"node_errors"`
}

// QueueState is GET /api/queue reduced to prompt ids.
type QueueState struct {
	Running []string
	Pending []string
}

// Has reports whether id is running or pending on the server.
func (q QueueState) Has(id string) bool {
	for _, l := range [][]string{q.Running, q.Pending} {
		for _, x := range l {
			if x == id {
				return true
			}
		}
	}
	return false
}
