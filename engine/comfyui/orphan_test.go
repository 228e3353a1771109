package comfyui

import (
	"os"
	"os/exec"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// A ComfyUI whose owning app died (SIGKILL) is an orphan: a later generate
// must not use it and leave it running, but stop it and start its own.
func TestOrphanIsNotAdopted(t *testing.T) {
	d := appdirs.Dirs{State: t.TempDir()}
	// A real process stands in for the orphan; a real, exited one for its owner.
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command to stand in for the orphan")
	}
	orphan := exec.Command(sleep, "600")
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { orphan.Process.Kill(); orphan.Wait() }()
	ct, err := proc.CreateTime(t.Context(), orphan.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	pf := proc.Pidfile{PID: orphan.Process.Pid, CreateTime: ct, Port: 1, Owner: dead.Process.Pid, OwnerCreate: 1}
	if err := proc.WritePidfile(PidFile(d), pf); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := Running(t.Context(), d); ok {
		t.Fatal("a ComfyUI whose owner is dead was reported usable")
	}
	// Owned by a live process (here: this test), it is used.
	me, _ := proc.CreateTime(t.Context(), os.Getpid())
	pf.Owner, pf.OwnerCreate = os.Getpid(), me
	proc.WritePidfile(PidFile(d), pf)
	if pid, _, ok := Running(t.Context(), d); !ok || pid != orphan.Process.Pid {
		t.Fatalf("a ComfyUI with a live owner was not found (%d, %v)", pid, ok)
	}
}
