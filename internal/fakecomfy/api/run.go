package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// job is one accepted prompt.
type job struct {
	number   int
	id       string
	clientID string
	raw      json.RawMessage
	extra    map[string]any
	nodes    map[string]node
	outputs  []string
	magic    map[string]bool
	stop     chan struct{}
	stopOnce sync.Once
}

func (j *job) interrupt() { j.stopOnce.Do(func() { close(j.stop) }) }

func (j *job) item() []any {
	return []any{j.number, j.id, j.raw, j.extra, j.outputs}
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func nowMS() int64 { return time.Now().UnixMilli() }

func (s *Server) postPrompt(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Prompt   json.RawMessage `json:"prompt"`
		ClientID string          `json:"client_id"`
		PromptID *string         `json:"prompt_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	number := s.counter
	s.counter++
	s.mu.Unlock()
	reject := func(t, msg string) {
		writeJSON(w, http.StatusBadRequest, rejection{Error: errObj{Type: t, Message: msg, ExtraInfo: map[string]any{}}, NodeErrors: map[string]nodeErr{}})
	}
	var nodes map[string]node
	if len(req.Prompt) == 0 || json.Unmarshal(req.Prompt, &nodes) != nil {
		reject("no_prompt", "No prompt provided")
		return
	}
	id := uuid.NewString()
	if req.PromptID != nil {
		if !uuidRe.MatchString(*req.PromptID) {
			reject("invalid_prompt_id", "Invalid prompt_id")
			return
		}
		id = *req.PromptID
	}
	outputs, rej := s.validate(nodes)
	if rej != nil {
		writeJSON(w, http.StatusBadRequest, rej)
		return
	}
	j := &job{number: number, id: id, clientID: req.ClientID, raw: req.Prompt, nodes: nodes, outputs: outputs,
		extra: map[string]any{"client_id": req.ClientID, "create_time": nowMS()}, magic: magicOf(req.Prompt),
		stop: make(chan struct{})}
	s.mu.Lock()
	s.pending = append(s.pending, j)
	start := !s.working
	s.working = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"prompt_id": id, "number": number, "node_errors": map[string]any{}})
	s.broadcastStatus()
	if start {
		go s.work()
	}
}

func magicOf(raw json.RawMessage) map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{"fail", "oom", "slow", "die", "hostile", "drop", "preview"} {
		if bytes.Contains(raw, []byte("fakecomfy:"+k)) {
			m[k] = true
		}
	}
	return m
}

// work drains the queue one job at a time, like ComfyUI's single worker,
// and exits once the queue is empty (so no goroutine outlives the tests).
func (s *Server) work() {
	for {
		s.mu.Lock()
		if len(s.pending) == 0 || s.dead {
			s.working = false
			s.mu.Unlock()
			return
		}
		j := s.pending[0]
		s.pending = s.pending[1:]
		s.running = j
		s.loadedGB = 21 // "models" stay loaded between jobs until /api/free
		s.mu.Unlock()
		s.broadcastStatus()
		status, outputs, messages, died := s.execute(j)
		if died {
			return
		}
		s.mu.Lock()
		s.running = nil
		entry, _ := json.Marshal(map[string]any{
			"prompt":  j.item(),
			"outputs": outputs,
			"status":  map[string]any{"status_str": status, "completed": status == "success", "messages": messages},
			"meta":    map[string]any{},
		})
		s.history[j.id] = entry
		s.order = append(s.order, j.id)
		s.mu.Unlock()
		s.broadcastStatus()
		s.sendTo(j.clientID, frame("executing", map[string]any{"node": nil, "prompt_id": j.id}))
	}
}

func (s *Server) getPrompt(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := s.remainingLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"exec_info": map[string]int{"queue_remaining": n}})
}

func (s *Server) getQueue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	running, pending := []any{}, []any{}
	if s.running != nil {
		running = append(running, s.running.item())
	}
	for _, j := range s.pending {
		pending = append(pending, j.item())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"queue_running": running, "queue_pending": pending})
}

func (s *Server) postQueue(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Clear  bool     `json:"clear"`
		Delete []string `json:"delete"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	kept := s.pending[:0]
	for _, j := range s.pending {
		del := req.Clear
		for _, id := range req.Delete {
			del = del || id == j.id
		}
		if !del {
			kept = append(kept, j)
		}
	}
	s.pending = kept
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	s.broadcastStatus()
}

func (s *Server) interrupt(w http.ResponseWriter, r *http.Request) {
	var req struct {
		PromptID string `json:"prompt_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	s.mu.Lock()
	if j := s.running; j != nil && (req.PromptID == "" || req.PromptID == j.id) {
		j.interrupt()
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (s *Server) getHistory(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ids := s.order
	if n, err := strconv.Atoi(r.URL.Query().Get("max_items")); err == nil && n >= 0 && n < len(ids) {
		ids = ids[len(ids)-n:]
	}
	out := map[string]json.RawMessage{}
	for _, id := range ids {
		out[id] = s.history[id]
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getHistoryOne(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	e, ok := s.history[id]
	s.mu.Unlock()
	out := map[string]json.RawMessage{}
	if ok {
		out[id] = e
	}
	writeJSON(w, http.StatusOK, out)
}

// stepsOf is how many progress steps a node reports: samplers report their
// steps, everything else none.
func (s *Server) stepsOf(j *job, n node) int {
	if !strings.Contains(n.ClassType, "Sampler") && !strings.Contains(n.ClassType, "Decode") {
		return 0
	}
	if j.magic["slow"] {
		return 40
	}
	var steps int
	if v, ok := n.Inputs["steps"]; ok && json.Unmarshal(v, &steps) == nil && steps > 0 && steps <= 1000 {
		return steps
	}
	return s.opt.Steps
}
