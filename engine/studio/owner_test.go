package studio_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/appdirs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

// ownerEnv makes the test binary a second ltx-studio process that owns the
// data folder under that path until its stdin closes.
const ownerEnv = "STUDIO_TEST_OWN_HOME"

func TestMain(m *testing.M) {
	if home := os.Getenv(ownerEnv); home != "" {
		s, err := studio.Open(studio.Options{Dirs: appdirs.Under(home), Getenv: func(string) string { return "" }})
		if err == nil {
			err = s.Own(context.Background())
		}
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("owner")
		io.Copy(io.Discard, os.Stdin)
		s.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// otherOwner starts the second process and waits until it owns home.
func otherOwner(t *testing.T, home string) (*exec.Cmd, io.Closer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ownerEnv+"="+home)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "owner" {
		t.Fatalf("second process: %q", line)
	}
	return cmd, in
}

// A second process on the same data folder is told who owns it, at once,
// and starts nothing; the window variant waits and goes ahead once the
// owner is gone — even when the owner was killed.
func TestOneOwnerPerDataFolder(t *testing.T) {
	home := t.TempDir()
	other, _ := otherOwner(t, home)

	s, err := studio.Open(studio.Options{Dirs: appdirs.Under(home), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Start(t.Context())
	var be *studio.BusyError
	if !errors.As(err, &be) || !errors.Is(err, studio.ErrBusy) || be.Owner.PID != other.Process.Pid ||
		!strings.Contains(err.Error(), fmt.Sprintf("pid %d", other.Process.Pid)) {
		t.Fatalf("Start while another process owns the folder: %v", err)
	}
	if s.Backend().State().State != status.Stopped {
		t.Errorf("something was started: %+v", s.Backend().State())
	}

	ch, unsub := s.Backend().Subscribe()
	defer unsub()
	done := make(chan error, 1)
	go func() { done <- s.StartWhenFree(t.Context()) }()
	for ev := range ch {
		if strings.HasPrefix(ev.Message, "Waiting: ") {
			break
		}
	}
	other.Process.Kill() // SIGKILL: the OS drops its lock
	other.Wait()
	// Now it owns the folder; nothing is installed here, so the start itself
	// fails, with that reason, not "busy".
	err = <-done
	if err == nil || errors.Is(err, studio.ErrBusy) {
		t.Fatalf("StartWhenFree after the owner died: %v", err)
	}
	if o := studio.ReadOwner(appdirs.Under(home).Data); o.PID != os.Getpid() {
		t.Errorf("owner is %+v, want this process", o)
	}
}
