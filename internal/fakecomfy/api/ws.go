package api

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/tidwall/gjson"
)

type sock struct {
	conn *websocket.Conn
	meta atomic.Bool // sent supports_preview_metadata: gets code-4 previews
}

func gjsonInt(b []byte, path string) int64 { return gjson.GetBytes(b, path).Int() }

func frame(typ string, data any) []byte {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}{typ, data})
	return b
}

// serverFlags is what the recorded server answered to the handshake.
var serverFlags = json.RawMessage(`{"supports_preview_metadata": true, "max_upload_size": 104857600, "extension": {"manager": {"supports_v4": true}}, "node_replacements": true, "assets": false}`)

func (s *Server) ws(w http.ResponseWriter, r *http.Request) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	id := r.URL.Query().Get("clientId")
	if id == "" {
		id = uuid.NewString()
	}
	me := &sock{conn: conn}
	s.mu.Lock()
	if old := s.sockets[id]; old != nil {
		old.conn.CloseNow() // the same id reconnecting replaces the old socket
	}
	s.sockets[id] = me
	remaining := s.remainingLocked()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.sockets[id] == me {
			delete(s.sockets, id)
		}
		s.mu.Unlock()
		conn.CloseNow()
	}()
	ctx := r.Context()
	status := map[string]any{"status": map[string]any{"exec_info": map[string]int{"queue_remaining": remaining}}, "sid": id}
	if conn.Write(ctx, websocket.MessageText, frame("status", status)) != nil {
		return
	}
	first := true
	for {
		_, msg, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if first && gjson.GetBytes(msg, "type").String() == "feature_flags" {
			me.meta.Store(gjson.GetBytes(msg, "data.supports_preview_metadata").Bool())
			_ = conn.Write(ctx, websocket.MessageText, frame("feature_flags", serverFlags))
		}
		first = false
	}
}

// sendTo writes one frame to the socket of clientID ("" = every socket).
func (s *Server) sendTo(clientID string, b []byte) {
	s.mu.Lock()
	var targets []*sock
	for id, so := range s.sockets {
		if clientID == "" || id == clientID {
			targets = append(targets, so)
		}
	}
	s.mu.Unlock()
	for _, so := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = so.conn.Write(ctx, websocket.MessageText, b)
		cancel()
	}
}

func (s *Server) broadcastStatus() {
	s.mu.Lock()
	n := s.remainingLocked()
	s.mu.Unlock()
	s.sendTo("", frame("status", map[string]any{"status": map[string]any{"exec_info": map[string]int{"queue_remaining": n}}}))
}

func (s *Server) remainingLocked() int {
	n := len(s.pending)
	if s.running != nil {
		n++
	}
	return n
}

func (s *Server) closeSockets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, so := range s.sockets {
		so.conn.CloseNow()
	}
}

// DropSockets closes every WebSocket, like a network blip; tests use it to
// exercise reconnecting clients.
func (s *Server) DropSockets() { s.closeSockets() }

// fakeJPEG is the start of a JPEG file; enough for a preview frame.
var fakeJPEG = []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 0xff, 0xd9}

// sendPreview sends a preview frame the way ComfyUI picks it per socket:
// code 4 with metadata for sockets that asked, code 1 for the others.
func (s *Server) sendPreview(clientID, promptID, node string) {
	s.mu.Lock()
	so := s.sockets[clientID]
	s.mu.Unlock()
	if so == nil {
		return
	}
	var b []byte
	if so.meta.Load() {
		meta, _ := json.Marshal(map[string]any{"node_id": node, "prompt_id": promptID, "display_node_id": node,
			"parent_node_id": nil, "real_node_id": node, "image_type": "image/jpeg"})
		b = binary.BigEndian.AppendUint32(nil, 4)
		b = binary.BigEndian.AppendUint32(b, uint32(len(meta)))
		b = append(append(b, meta...), fakeJPEG...)
	} else {
		b = binary.BigEndian.AppendUint32(nil, 1)
		b = binary.BigEndian.AppendUint32(b, 1)
		b = append(b, fakeJPEG...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = so.conn.Write(ctx, websocket.MessageBinary, b)
}
