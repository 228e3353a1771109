package install

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// command runs one program, streaming its output as Output events and into
// the build log. Cancelling ctx kills its whole tree (pip starts helpers).
func (r *runner) command(ctx context.Context, dir string, env []string, name string, args ...string) error {
	_, err := r.commandOut(ctx, dir, env, name, args...)
	return err
}

func (r *runner) commandOut(ctx context.Context, dir string, env []string, name string, args ...string) ([]string, error) {
	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = redactURL(a)
	}
	r.emit(ctx, Event{Kind: Output, Line: "$ " + name + " " + strings.Join(shown, " ")})
	var mu sync.Mutex
	var lines []string
	tail := logs.NewRing(20)
	lw := &logs.LineWriter{Sink: func(l string) {
		mu.Lock()
		lines = append(lines, l)
		mu.Unlock()
		tail.Add(l)
		r.emit(ctx, Event{Kind: Output, Line: l})
	}}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1",
		"UV_NO_CONFIG=1", "UV_NO_PROGRESS=1")
	cmd.Env = append(cmd.Env, proc.PythonEnv()...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = lw, lw
	proc.Prepare(cmd)
	cmd.Cancel = func() error { return proc.KillTree(context.Background(), cmd.Process.Pid) }
	cmd.WaitDelay = 2 * time.Second
	// git, pip and the self-test die with the app too (a killed app must
	// leave no installer running; the next install resumes the step).
	release, err := proc.Start(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	release()
	lw.Flush()
	if err != nil {
		if ctx.Err() != nil {
			return lines, ctx.Err()
		}
		last := tail.Last(8)
		return lines, fmt.Errorf("%s failed (%v):\n%s", filepath.Base(name), err, strings.Join(last, "\n"))
	}
	return lines, nil
}

// redactURL hides the password of a mirror address (https://user:token@…):
// command lines and errors go to the install log the UI shows.
func redactURL(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}
