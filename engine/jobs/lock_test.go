package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shirou/gopsutil/v4/process"
)

// A lock left by a crash whose pid now belongs to another live process (after
// a reboot) must not keep the queue "in use" forever; a live owner still holds it.
func TestLockOwnerPidReuse(t *testing.T) {
	ppid := os.Getppid()
	h, err := process.NewProcess(int32(ppid))
	if err != nil {
		t.Skipf("parent process not visible: %v", err)
	}
	ct, err := h.CreateTime()
	if err != nil {
		t.Skipf("no create time: %v", err)
	}
	tests := []struct {
		name    string
		content string
		busy    bool
	}{
		{"live owner", fmt.Sprintf("%d %d\n", ppid, ct), true},
		{"pid reused by another process", fmt.Sprintf("%d %d\n", ppid, ct-1000), false},
		{"old format, live pid", fmt.Sprintf("%d\n", ppid), true},
		{"garbage", "x\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "queue.lock"), []byte(tc.content), 0o644)
			release, err := lockQueue(dir)
			if tc.busy {
				if !errors.Is(err, ErrQueueBusy) {
					t.Fatalf("want busy, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("stale lock not taken over: %v", err)
			}
			release()
		})
	}
}

// The queue is read only once it is locked: a busy queue is reported as busy,
// never read (and later saved) from a stale copy.
func TestNewLocksBeforeReading(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "queue.json"), []byte("{damaged"), 0o644)
	release, err := lockQueue(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{QueueDir: dir, OutputDir: t.TempDir(), Builder: WorkflowsBuilder{}, Backends: []Backend{{Name: "x", URL: "http://127.0.0.1:1"}}})
	if !errors.Is(err, ErrQueueBusy) {
		t.Fatalf("want ErrQueueBusy, got %v", err)
	}
	release()
	// Unlocked, the damaged file is reported and the lock is given back.
	if _, err := New(Config{QueueDir: dir, OutputDir: t.TempDir(), Builder: WorkflowsBuilder{}, Backends: []Backend{{Name: "x", URL: "http://127.0.0.1:1"}}}); err == nil {
		t.Fatal("damaged queue accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "queue.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind after a failed open: %v", err)
	}
}
