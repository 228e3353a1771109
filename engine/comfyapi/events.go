package comfyapi

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Event is one message from ComfyUI's WebSocket, decoded into its own type.
// The set is closed (unexported marker); a type ComfyUI adds later arrives as
// Unknown instead of breaking the reader.
type Event interface {
	// Prompt is the prompt id the event belongs to ("" for global events).
	Prompt() string
	isEvent()
}

// Status reports the server's queue length; SID is set on the first frame.
type Status struct {
	QueueRemaining int
	SID            string
}

// FeatureFlags is the server's reply to the feature_flags handshake.
type FeatureFlags struct{ Flags json.RawMessage }

// ExecutionStart: the job left the server queue and began running.
type ExecutionStart struct {
	PromptID  string `json:"prompt_id"`
	Timestamp int64  `json:"timestamp"` // ms since epoch, server clock
}

// ExecutionCached lists nodes whose outputs were reused from the cache.
type ExecutionCached struct {
	PromptID  string   `json:"prompt_id"`
	Nodes     []string `json:"nodes"`
	Timestamp int64    `json:"timestamp"`
}

// Executing says which node runs now. Done (node null) marks the end of the
// job, whether it succeeded, failed or was interrupted.
type Executing struct {
	PromptID    string
	Node        string
	DisplayNode string
	Done        bool
}

// Progress is a ProgressBar update of one node (sampler steps, tiles …).
type Progress struct {
	PromptID string
	Node     string
	Value    int
	Max      int
}

// NodeState is one node's entry in a progress_state frame.
type NodeState struct {
	Value float64 `json:"value"`
	Max   float64 `json:"max"`
	State string  `json:"state"` // running | finished | error
}

// ProgressState carries every non-pending node's progress so far.
type ProgressState struct {
	PromptID string               `json:"prompt_id"`
	Nodes    map[string]NodeState `json:"nodes"`
}

// Executed reports the UI output of an output node (the saved files).
type Executed struct {
	PromptID    string `json:"prompt_id"`
	Node        string `json:"node"`
	DisplayNode string `json:"display_node"`
	Output      Output `json:"output"`
}

// ExecutionSuccess: every requested output finished.
type ExecutionSuccess struct {
	PromptID  string `json:"prompt_id"`
	Timestamp int64  `json:"timestamp"`
}

// ExecutionError: a node raised. It doubles as the error the job layer returns.
type ExecutionError struct {
	PromptID         string     `json:"prompt_id"`
	NodeID           string     `json:"node_id"`
	NodeType         string     `json:"node_type"`
	Executed         []string   `json:"executed"`
	ExceptionMessage string     `json:"exception_message"`
	ExceptionType    string     `json:"exception_type"`
	Traceback        []string   `json:"traceback"`
	CurrentInputs    NodeInputs `json:"current_inputs"`
	CurrentOutputs   []string   `json:"current_outputs"`
	Timestamp        int64      `json:"timestamp"`
}

// NodeInputs is an execution error's current_inputs: each input's values,
// written as text. ComfyUI sends the values as they were (numbers, booleans,
// null and strings side by side, e.g. {"seed": [7], "ckpt_name": ["x"]}), and
// an empty list instead of an object for a blocked node, so a plain
// map[string][]string would fail on the first number and lose the error.
type NodeInputs map[string][]string

// UnmarshalJSON accepts an object of value lists, an empty list or null.
func (n *NodeInputs) UnmarshalJSON(b []byte) error {
	var obj map[string][]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		var list []json.RawMessage
		if json.Unmarshal(b, &list) == nil && len(list) == 0 {
			*n = nil
			return nil
		}
		return fmt.Errorf("current_inputs: %w", err)
	}
	out := make(NodeInputs, len(obj))
	for k, vs := range obj {
		texts := make([]string, len(vs))
		for i, v := range vs {
			s := string(v) // a number, boolean or null as ComfyUI wrote it
			if len(v) > 0 && v[0] == '"' {
				_ = json.Unmarshal(v, &s)
			}
			texts[i] = s
		}
		out[k] = texts
	}
	*n = out
	return nil
}

// ExecutionInterrupted follows /api/interrupt.
type ExecutionInterrupted struct {
	PromptID  string   `json:"prompt_id"`
	NodeID    string   `json:"node_id"`
	NodeType  string   `json:"node_type"`
	Executed  []string `json:"executed"`
	Timestamp int64    `json:"timestamp"`
}

// Preview is a binary preview frame (codes 1 and 4). PromptID and Node are
// only known for code 4, which we ask for in the handshake.
type Preview struct {
	PromptID  string
	Node      string
	ImageType string // image/jpeg or image/png
	Image     []byte
}

// ProgressText is a binary code-3 frame: free text a node posts.
type ProgressText struct {
	Node string
	Text string
}

// Unknown keeps a frame we have no type for.
type Unknown struct {
	Type string
	Raw  []byte
}

// Connected is synthesised by the Watcher after every (re)connect; after a
// reconnect the caller should reconcile running jobs with /api/history.
type Connected struct{ Reconnect bool }

// Disconnected is synthesised when the socket drops; Err says why.
type Disconnected struct{ Err error }

func (e Status) Prompt() string               { return "" }
func (e FeatureFlags) Prompt() string         { return "" }
func (e ExecutionStart) Prompt() string       { return e.PromptID }
func (e ExecutionCached) Prompt() string      { return e.PromptID }
func (e Executing) Prompt() string            { return e.PromptID }
func (e Progress) Prompt() string             { return e.PromptID }
func (e ProgressState) Prompt() string        { return e.PromptID }
func (e Executed) Prompt() string             { return e.PromptID }
func (e ExecutionSuccess) Prompt() string     { return e.PromptID }
func (e *ExecutionError) Prompt() string      { return e.PromptID }
func (e ExecutionInterrupted) Prompt() string { return e.PromptID }
func (e Preview) Prompt() string              { return e.PromptID }
func (e ProgressText) Prompt() string         { return "" }
func (e Unknown) Prompt() string              { return "" }
func (e Connected) Prompt() string            { return "" }
func (e Disconnected) Prompt() string         { return "" }

func (Status) isEvent()               {}
func (FeatureFlags) isEvent()         {}
func (ExecutionStart) isEvent()       {}
func (ExecutionCached) isEvent()      {}
func (Executing) isEvent()            {}
func (Progress) isEvent()             {}
func (ProgressState) isEvent()        {}
func (Executed) isEvent()             {}
func (ExecutionSuccess) isEvent()     {}
func (*ExecutionError) isEvent()      {}
func (ExecutionInterrupted) isEvent() {}
func (Preview) isEvent()              {}
func (ProgressText) isEvent()         {}
func (Unknown) isEvent()              {}
func (Connected) isEvent()            {}
func (Disconnected) isEvent()         {}

// Error makes a run-time failure usable as an error; the job layer words it
// for people (see Human).
func (e *ExecutionError) Error() string {
	return fmt.Sprintf("comfyui node %s (%s) failed: %s: %s", e.NodeID, e.NodeType,
		e.ExceptionType, strings.TrimSpace(e.ExceptionMessage))
}

// DecodeText decodes one text frame. Only malformed JSON is an error; an
// unexpected type becomes Unknown.
func DecodeText(raw []byte) (Event, error) {
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("decode comfyui frame: %w", err)
	}
	var (
		ev  Event
		err error
	)
	switch env.Type {
	case "status":
		ev, err = decodeStatus(env.Data)
	case "feature_flags":
		ev = FeatureFlags{Flags: append(json.RawMessage(nil), env.Data...)}
	case "execution_start":
		ev, err = decodeInto[ExecutionStart](env.Data)
	case "execution_cached":
		ev, err = decodeInto[ExecutionCached](env.Data)
	case "executing":
		ev, err = decodeExecuting(env.Data)
	case "progress":
		ev, err = decodeProgress(env.Data)
	case "progress_state":
		ev, err = decodeInto[ProgressState](env.Data)
	case "executed":
		ev, err = decodeInto[Executed](env.Data)
	case "execution_success":
		ev, err = decodeInto[ExecutionSuccess](env.Data)
	case "execution_error":
		var e ExecutionError
		err = json.Unmarshal(env.Data, &e)
		ev = &e
	case "execution_interrupted":
		ev, err = decodeInto[ExecutionInterrupted](env.Data)
	default:
		ev = Unknown{Type: env.Type, Raw: append([]byte(nil), raw...)}
	}
	if err != nil {
		return nil, fmt.Errorf("decode comfyui %q event: %w", env.Type, err)
	}
	return ev, nil
}

func decodeStatus(data json.RawMessage) (Event, error) {
	var d struct {
		Status struct {
			ExecInfo struct {
				QueueRemaining int `json:"queue_remaining"`
			} `json:"exec_info"`
		} `json:"status"`
		SID string `json:"sid"`
	}
	err := json.Unmarshal(data, &d)
	return Status{QueueRemaining: d.Status.ExecInfo.QueueRemaining, SID: d.SID}, err
}

func decodeExecuting(data json.RawMessage) (Event, error) {
	var d struct {
		Node        *string `json:"node"`
		DisplayNode *string `json:"display_node"`
		PromptID    string  `json:"prompt_id"`
	}
	err := json.Unmarshal(data, &d)
	e := Executing{PromptID: d.PromptID, Done: d.Node == nil}
	if d.Node != nil {
		e.Node = *d.Node
	}
	if d.DisplayNode != nil {
		e.DisplayNode = *d.DisplayNode
	}
	return e, err
}

// decodeProgress accepts integer or float values (ComfyUI sends both).
func decodeProgress(data json.RawMessage) (Event, error) {
	var d struct {
		Value    float64 `json:"value"`
		Max      float64 `json:"max"`
		PromptID string  `json:"prompt_id"`
		Node     *string `json:"node"`
	}
	err := json.Unmarshal(data, &d)
	e := Progress{PromptID: d.PromptID, Value: int(math.Round(d.Value)), Max: int(math.Round(d.Max))}
	if d.Node != nil {
		e.Node = *d.Node
	}
	return e, err
}

func decodeInto[T any](data json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(data, &v)
	return v, err
}

// Binary frame codes (ComfyUI protocol.BinaryEventTypes).
const (
	binPreviewImage             = 1
	binText                     = 3
	binPreviewImageWithMetadata = 4
)

// ErrShortFrame means a binary frame ended before its header did.
var ErrShortFrame = errors.New("comfyui binary frame too short")

// DecodeBinary decodes a binary frame: previews (codes 1 and 4) and text (3).
func DecodeBinary(b []byte) (Event, error) {
	if len(b) < 4 {
		return nil, ErrShortFrame
	}
	code := binary.BigEndian.Uint32(b)
	body := b[4:]
	switch code {
	case binPreviewImage:
		if len(body) < 4 {
			return nil, ErrShortFrame
		}
		typ := "image/jpeg"
		if binary.BigEndian.Uint32(body) == 2 {
			typ = "image/png"
		}
		return Preview{ImageType: typ, Image: append([]byte(nil), body[4:]...)}, nil
	case binPreviewImageWithMetadata:
		if len(body) < 4 {
			return nil, ErrShortFrame
		}
		n := binary.BigEndian.Uint32(body)
		if uint64(n) > uint64(len(body)-4) {
			return nil, ErrShortFrame
		}
		var meta struct {
			NodeID    string `json:"node_id"`
			PromptID  string `json:"prompt_id"`
			ImageType string `json:"image_type"`
		}
		if err := json.Unmarshal(body[4:4+n], &meta); err != nil {
			return nil, fmt.Errorf("decode preview metadata: %w", err)
		}
		return Preview{PromptID: meta.PromptID, Node: meta.NodeID, ImageType: meta.ImageType,
			Image: append([]byte(nil), body[4+n:]...)}, nil
	case binText:
		if len(body) < 4 {
			return nil, ErrShortFrame
		}
		n := binary.BigEndian.Uint32(body)
		if uint64(n) > uint64(len(body)-4) {
			return nil, ErrShortFrame
		}
		return ProgressText{Node: string(body[4 : 4+n]), Text: string(body[4+n:])}, nil
	default:
		return Unknown{Type: fmt.Sprintf("binary:%d", code), Raw: append([]byte(nil), b...)}, nil
	}
}
