package api

import (
	"encoding/json"
	"strings"
	"time"
)

// nodeState is one entry of a progress_state frame; Value and Max keep the
// recorded number forms (0.0/1.0 before a node reports, integers after).
type nodeState struct {
	Value         json.RawMessage `json:"value"`
	Max           json.RawMessage `json:"max"`
	State         string          `json:"state"`
	NodeID        string          `json:"node_id"`
	PromptID      string          `json:"prompt_id"`
	DisplayNodeID string          `json:"display_node_id"`
	ParentNodeID  *string         `json:"parent_node_id"`
	RealNodeID    string          `json:"real_node_id"`
}

type run struct {
	s        *Server
	j        *job
	states   map[string]nodeState
	messages [][]any
	executed []string
}

func (r *run) send(typ string, data map[string]any) {
	r.s.sendTo(r.j.clientID, frame(typ, data))
}

// sendKept sends an event that ComfyUI also keeps in the history's messages.
func (r *run) sendKept(typ string, data map[string]any) {
	r.messages = append(r.messages, []any{typ, data})
	r.send(typ, data)
}

func (r *run) state(id, value, max, st string) {
	r.states[id] = nodeState{Value: json.RawMessage(value), Max: json.RawMessage(max), State: st, NodeID: id,
		PromptID: r.j.id, DisplayNodeID: id, RealNodeID: id}
	r.send("progress_state", map[string]any{"prompt_id": r.j.id, "nodes": r.states})
}

// execute simulates one job. died is true when the server "died" mid-job:
// nothing more may be sent or recorded.
func (s *Server) execute(j *job) (status string, outputs map[string]any, messages [][]any, died bool) {
	r := &run{s: s, j: j, states: map[string]nodeState{}}
	outputs = map[string]any{}
	r.sendKept("execution_start", map[string]any{"prompt_id": j.id, "timestamp": nowMS()})
	r.sendKept("execution_cached", map[string]any{"nodes": []string{}, "prompt_id": j.id, "timestamp": nowMS()})
	failAt := r.failNode()
	for _, id := range r.order() {
		n := j.nodes[id]
		r.state(id, "0.0", "1.0", "running")
		r.send("executing", map[string]any{"node": id, "display_node": id, "prompt_id": j.id})
		if id == failAt {
			r.fail(id, n)
			return "error", outputs, r.messages, false
		}
		steps := s.stepsOf(j, n)
		for step := 1; step <= steps; step++ {
			if !r.wait(step) {
				r.sendKept("execution_interrupted", map[string]any{"prompt_id": j.id, "node_id": id, "node_type": n.ClassType,
					"executed": r.executed, "timestamp": nowMS()})
				return "error", outputs, r.messages, false
			}
			if j.magic["die"] {
				s.die()
				return "", nil, nil, true
			}
			if j.magic["preview"] {
				s.sendPreview(j.clientID, j.id, id)
			}
			v, m := jsonInt(step), jsonInt(steps)
			r.state(id, v, m, "running")
			r.send("progress", map[string]any{"value": step, "max": steps, "prompt_id": j.id, "node": id})
			if j.magic["drop"] && step == 1 {
				s.closeSockets() // the network blips; the job carries on
			}
		}
		if out := s.writeOutput(j, id, n); out != nil {
			outputs[id] = out
			r.send("executed", map[string]any{"node": id, "display_node": id, "output": out, "prompt_id": j.id})
		}
		fin := "1.0"
		if steps > 0 {
			fin = jsonInt(steps)
			r.state(id, fin, fin, "finished")
		} else {
			r.state(id, fin, fin, "finished")
		}
		r.executed = append(r.executed, id)
	}
	r.sendKept("execution_success", map[string]any{"prompt_id": j.id, "timestamp": nowMS()})
	return "success", outputs, r.messages, false
}

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }

// wait sleeps one step; false means the job was interrupted.
func (r *run) wait(step int) bool {
	d := r.s.opt.StepDelay
	if r.j.magic["slow"] || r.j.magic["die"] || r.j.magic["drop"] {
		d = 25 * time.Millisecond
	}
	if d <= 0 {
		select {
		case <-r.j.stop:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.j.stop:
		return false
	case <-t.C:
		return true
	}
}

func (s *Server) die() {
	s.mu.Lock()
	s.dead = true
	s.mu.Unlock()
	if s.opt.Die != nil {
		s.opt.Die()
	}
	s.closeSockets()
}

// order is every node the outputs need, dependencies first.
func (r *run) order() []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range r.j.outputs {
		for _, id := range reachable(r.j.nodes, o) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

func (r *run) failNode() string {
	want := ""
	switch {
	case r.j.magic["fail"]:
		want = "Loader"
	case r.j.magic["oom"]:
		want = "Sampler"
	default:
		return ""
	}
	ord := r.order()
	for _, id := range ord {
		if strings.Contains(r.j.nodes[id].ClassType, want) {
			return id
		}
	}
	return ord[0]
}

func (r *run) fail(id string, n node) {
	typ, msg := "safetensors._safetensors_rust.SafetensorError", "Error while deserializing header: header too small\n"
	if r.j.magic["oom"] {
		typ, msg = "torch.OutOfMemoryError", "Allocation on device \nThis error means you ran out of memory on your GPU.\n"
	}
	inputs := map[string][]string{}
	for k, v := range n.Inputs {
		if _, _, ok := link(v); !ok {
			var sv string
			if json.Unmarshal(v, &sv) != nil {
				sv = string(v)
			}
			inputs[k] = []string{sv}
		}
	}
	r.sendKept("execution_error", map[string]any{"prompt_id": r.j.id, "node_id": id, "node_type": n.ClassType,
		"executed": r.executed, "exception_message": msg, "exception_type": typ,
		"traceback":      []string{"  File \"/opt/ComfyUI/execution.py\", line 542, in execute\n"},
		"current_inputs": inputs, "current_outputs": r.executed, "timestamp": nowMS()})
}
