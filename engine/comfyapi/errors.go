package comfyapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// ErrorInfo is ComfyUI's {type, message, details, extra_info} error object.
type ErrorInfo struct {
	Type      string          `json:"type"`
	Message   string          `json:"message"`
	Details   string          `json:"details"`
	ExtraInfo json.RawMessage `json:"extra_info,omitempty"`
}

// NodeError lists the validation errors of one node.
type NodeError struct {
	Errors           []ErrorInfo `json:"errors"`
	DependentOutputs []string    `json:"dependent_outputs"`
	ClassType        string      `json:"class_type"`
}

// PromptError is a rejected POST /api/prompt (HTTP 400): the graph did not
// validate. The UI maps Issues to form fields with errors.As.
type PromptError struct {
	Status     int
	Err        ErrorInfo            `json:"error"`
	NodeErrors map[string]NodeError `json:"node_errors"`
}

// InputIssue is one validation problem, flattened: which node and input.
type InputIssue struct {
	NodeID    string
	ClassType string
	Input     string // "" when the problem is not tied to one input
	Type      string // required_input_missing, value_not_in_list, …
	Message   string
	Details   string
	Received  json.RawMessage
}

// Issues flattens the error into per-input issues, sorted by node and input.
// A top-level error without node errors (missing_node_type) gives one issue.
func (e *PromptError) Issues() []InputIssue {
	var out []InputIssue
	for id, ne := range e.NodeErrors {
		for _, er := range ne.Errors {
			var x struct {
				InputName string          `json:"input_name"`
				Received  json.RawMessage `json:"received_value"`
			}
			_ = json.Unmarshal(er.ExtraInfo, &x)
			out = append(out, InputIssue{NodeID: id, ClassType: ne.ClassType, Input: x.InputName,
				Type: er.Type, Message: er.Message, Details: er.Details, Received: x.Received})
		}
	}
	if len(out) == 0 {
		var x struct {
			NodeID    string `json:"node_id"`
			ClassType string `json:"class_type"`
		}
		_ = json.Unmarshal(e.Err.ExtraInfo, &x)
		out = append(out, InputIssue{NodeID: x.NodeID, ClassType: x.ClassType, Type: e.Err.Type,
			Message: e.Err.Message, Details: e.Err.Details})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].NodeID != out[j].NodeID {
			return out[i].NodeID < out[j].NodeID
		}
		return out[i].Input < out[j].Input
	})
	return out
}

func (e *PromptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "comfyui rejected the prompt: %s", e.Err.Message)
	for _, is := range e.Issues() {
		if is.Input != "" {
			fmt.Fprintf(&b, "; node %s (%s) %s: %s", is.NodeID, is.ClassType, is.Input, is.Message)
		} else if len(e.NodeErrors) > 0 {
			fmt.Fprintf(&b, "; node %s (%s): %s", is.NodeID, is.ClassType, is.Message)
		}
	}
	return b.String()
}

// HTTPError is any other unexpected status from ComfyUI.
type HTTPError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *HTTPError) Error() string {
	body := strings.TrimSpace(e.Body)
	if len(body) > 300 {
		body = body[:300] + "…"
	}
	return fmt.Sprintf("comfyui %s %s: http %d: %s", e.Method, e.Path, e.Status, body)
}
