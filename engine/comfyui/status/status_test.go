package status

import "testing"

func TestHubSlowSubscriberGetsLatest(t *testing.T) {
	h := NewHub()
	ch, cancel := h.Subscribe()
	defer cancel()
	for range 100 {
		h.Publish(Event{State: Starting})
	}
	h.Publish(Event{State: Ready, URL: "http://127.0.0.1:1"})
	var last Event
	for len(ch) > 0 {
		last = <-ch
	}
	if last.State != Ready || h.Current().State != Ready {
		t.Fatalf("last = %v, current = %v", last.State, h.Current().State)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Stopped: "stopped", Installing: "installing", Starting: "starting", Ready: "ready", Crashed: "crashed", Stopping: "stopping"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", s, s.String())
		}
	}
}
