package supervise

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// launchFlag carries a per-launch nonce on ComfyUI's command line. ComfyUI
// reports its argv in /api/system_stats, so an answer that carries the nonce
// comes from the child we started, not from another program on the port.
// --feature-flag KEY=VALUE is a real ComfyUI option that only adds an entry
// to the feature flags it advertises; an unknown key changes nothing.
const launchFlag = "--feature-flag"

// launchKey names the nonce inside the feature flag.
const launchKey = "ltx_studio_launch"

// secretEnv are variables ComfyUI never needs: the app downloads the models
// itself, so the Hugging Face token stays out of the child's environment (and
// out of any custom node's reach).
var secretEnv = []string{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(Host, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port on %s: %w", Host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// childEnv is the environment of ComfyUI: ours plus extra, without secrets.
func childEnv(extra []string) []string {
	env := append(os.Environ(), proc.PythonEnv()...)
	env = append(env, extra...)
	return slices.DeleteFunc(env, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		for _, s := range secretEnv {
			if strings.EqualFold(name, s) {
				return true
			}
		}
		return false
	})
}

// nextPort is the port of the next launch: the configured one until it was
// found taken, then a fresh free port each time.
func (s *Supervisor) nextPort() (int, error) {
	s.mu.Lock()
	port := s.port
	s.mu.Unlock()
	if port != 0 {
		return port, nil
	}
	return freePort()
}

// portTaken makes the next launch pick a new free port.
func (s *Supervisor) portTaken() {
	s.mu.Lock()
	s.port = 0
	s.mu.Unlock()
}

func (s *Supervisor) launch() (*child, error) {
	cfg := s.cfg
	if err := checkExtraArgs(cfg.ExtraArgs, cfg.Face); err != nil {
		return nil, err
	}
	port, err := s.nextPort()
	if err != nil {
		return nil, err
	}
	// custom_nodes/ must exist (startup crashes without it) and so must the
	// user directory (argparse exits 2).
	for _, d := range []string{filepath.Join(cfg.BaseDir, "custom_nodes"), filepath.Join(cfg.BaseDir, "models"), cfg.UserDir, cfg.InputDir, cfg.OutputDir, cfg.TempDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("creating ComfyUI folder %s: %w", d, err)
		}
	}
	c := &child{port: port, nonce: newNonce(), done: make(chan struct{}), tail: logs.NewRing(60), hint: make(chan struct{}, 1)}
	c.activity.Store(time.Now().UnixNano())
	lw := &logs.LineWriter{Sink: func(line string) {
		c.activity.Store(time.Now().UnixNano())
		c.tail.Add(line)
		s.ring.Add(line)
		if s.file != nil {
			s.file.WriteLine(line)
		}
		if strings.Contains(line, "To see the GUI go to:") {
			select {
			case c.hint <- struct{}{}:
			default:
			}
		}
	}}
	args := append([]string{cfg.Script}, cfg.Args(port)...)
	args = append(args, launchFlag, launchKey+"="+c.nonce)
	cmd := exec.Command(cfg.Python, args...)
	cmd.Dir = cfg.ComfyDir
	// Unbuffered output: the stall deadline and crash reports depend on lines arriving as written.
	cmd.Env = childEnv(cfg.Env)
	cmd.Stdout, cmd.Stderr = lw, lw
	// A helper process that inherited the pipes must not delay noticing the exit.
	cmd.WaitDelay = 500 * time.Millisecond
	proc.Prepare(cmd)
	release, err := proc.Start(cmd)
	if err != nil {
		if cfg.Foreign {
			return nil, fmt.Errorf("could not run ComfyUI's Python (%s): %w; check that folder's venv", cfg.Python, err)
		}
		return nil, fmt.Errorf("could not run ComfyUI's Python (%s): %w; to repair the install, %s", cfg.Python, err, cfg.Face.RepairComfyUI())
	}
	c.cmd = cmd
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
	if cfg.PidFile != "" {
		ct, _ := proc.CreateTime(context.Background(), cmd.Process.Pid)
		me, _ := proc.CreateTime(context.Background(), os.Getpid())
		pf := proc.Pidfile{PID: cmd.Process.Pid, CreateTime: ct, Port: port, Command: cfg.Script, Owner: os.Getpid(), OwnerCreate: me}
		if err := proc.WritePidfile(cfg.PidFile, pf); err != nil {
			cfg.Logger.Warn("writing ComfyUI pidfile", "err", err)
		}
	}
	go func() {
		_ = cmd.Wait()
		release()
		lw.Flush()
		c.code = cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	cfg.Logger.Info("ComfyUI launched", "pid", cmd.Process.Pid, "port", port)
	return c, nil
}

// waitReady polls /api/system_stats until our own child answers: the reply
// must carry this launch's nonce in its argv, so another program on the port
// (an impostor, or a ComfyUI of someone else) is never taken for ours. The
// deadline is a stall deadline: each new log line pushes it forward (first
// starts import custom nodes for minutes while logging steadily).
func (s *Supervisor) waitReady(ctx context.Context, c *child) error {
	client := &http.Client{Timeout: time.Second}
	url := baseURL(c.port) + "/api/system_stats"
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	warned := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			tail := c.tail.Last(30)
			return &ExitError{Code: c.code, Reason: classify(c.code, tail, false, s.cfg.wording()), Tail: tail}
		case <-c.hint:
		case <-tick.C:
		}
		switch ping(ctx, client, url, c.nonce) {
		case answerOurs:
			return nil
		case answerStranger:
			if !warned {
				warned = true
				s.cfg.Logger.Warn("another program answers on ComfyUI's port; waiting for our own child", "port", c.port)
			}
		}
		if quiet := time.Since(time.Unix(0, c.activity.Load())); quiet > s.cfg.StallTimeout {
			return &StallError{After: quiet, Tail: c.tail.Last(30)}
		}
	}
}

type answer int

const (
	answerNone     answer = iota // nothing listens yet, or an error
	answerStranger               // something answers, but not our child
	answerOurs                   // our child, proven by the nonce in its argv
)

func ping(ctx context.Context, client *http.Client, url, nonce string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answerNone
	}
	resp, err := client.Do(req)
	if err != nil {
		return answerNone
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return answerStranger
	}
	var st struct {
		System struct {
			Argv []string `json:"argv"`
		} `json:"system"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return answerStranger
	}
	if slices.Contains(st.System.Argv, launchKey+"="+nonce) {
		return answerOurs
	}
	return answerStranger
}

// portInUse tells a start that failed because the port was taken.
func portInUse(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && strings.Contains(strings.Join(ee.Tail, "\n"), "is already in use")
}
