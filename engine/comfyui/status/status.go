// Package status is the backend's state as the UI and the job layer see it:
// a typed State, events carrying a human message, and a fan-out hub.
package status

import (
	"sync"
	"time"
)

// State of the ComfyUI backend.
type State int

const (
	Stopped State = iota
	Installing
	Starting
	Ready
	Crashed
	Stopping
)

func (s State) String() string {
	switch s {
	case Stopped:
		return "stopped"
	case Installing:
		return "installing"
	case Starting:
		return "starting"
	case Ready:
		return "ready"
	case Crashed:
		return "crashed"
	case Stopping:
		return "stopping"
	}
	return "unknown"
}

// Event is one state change.
type Event struct {
	State   State
	Message string    // human sentence for the status bar
	URL     string    // base URL when Ready ("http://127.0.0.1:PORT")
	Tail    []string  // last log lines (Crashed, failed starts)
	Err     error     // the failure behind Crashed, if any
	Restart int       // restart attempt number (0 = first start)
	Final   bool      // Crashed: no restart follows (budget spent); start it again by hand
	Time    time.Time // when it happened
}

// Hub fans events out to subscribers. A slow subscriber never blocks the
// supervisor: its oldest undelivered event is dropped, but the latest state
// always arrives (Current is the authority).
type Hub struct {
	mu   sync.Mutex
	last Event
	subs map[chan Event]struct{}
}

// NewHub starts in Stopped.
func NewHub() *Hub {
	return &Hub{last: Event{State: Stopped, Message: "ComfyUI is not running", Time: time.Now()}, subs: map[chan Event]struct{}{}}
}

// Publish records e as the current state and sends it to every subscriber.
func (h *Hub) Publish(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = e
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			select { // full: drop the oldest so the newest fits
			case <-ch:
			default:
			}
			select {
			case ch <- e:
			default:
			}
		}
	}
}

// Current returns the latest event.
func (h *Hub) Current() Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Subscribe returns a channel that first receives the current state, then
// every change. Call the returned cancel func to stop and close it.
func (h *Hub) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 32)
	h.mu.Lock()
	ch <- h.last
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			close(ch)
			h.mu.Unlock()
		})
	}
}
