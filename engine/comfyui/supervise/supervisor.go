package supervise

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/logs"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
	"github.com/ltxstudio/ltx-studio/engine/comfyui/status"
	"github.com/ltxstudio/ltx-studio/engine/face"
)

// Supervisor owns one ComfyUI server process at a time.
type Supervisor struct {
	cfg  Config
	hub  *status.Hub
	ring *logs.Ring
	file *logs.RotatingFile

	mu       sync.Mutex
	port     int           // next launch's port; 0 = pick a free one (after a "port in use")
	running  bool          // Start succeeded and Stop was not called (the watcher may be restarting)
	cur      *child        // the live child, nil between restarts
	stop     chan struct{} // closed by Stop
	loopDone chan struct{} // closed when the watcher returns
}

type child struct {
	cmd      *exec.Cmd
	port     int
	nonce    string        // on its command line; proves readiness answers are its own
	done     chan struct{} // closed after Wait returned
	code     int
	tail     *logs.Ring
	activity atomic.Int64  // unix nanos of the last log line
	hint     chan struct{} // the "To see the GUI" line arrived
}

// New returns a stopped supervisor.
func New(cfg Config) *Supervisor {
	cfg = cfg.withDefaults()
	s := &Supervisor{cfg: cfg, hub: cfg.Hub, ring: logs.NewRing(cfg.RingLines), port: cfg.Port}
	if cfg.LogPath != "" {
		s.file = &logs.RotatingFile{Path: cfg.LogPath}
	}
	return s
}

// Config is the configuration in use (defaults filled in).
func (s *Supervisor) Config() Config { return s.cfg }

// Subscribe returns state events (the current one first) and a cancel func.
func (s *Supervisor) Subscribe() (<-chan status.Event, func()) { return s.hub.Subscribe() }

// State is the latest state event.
func (s *Supervisor) State() status.Event { return s.hub.Current() }

// Logs returns the newest log lines (ANSI stripped), oldest first.
func (s *Supervisor) Logs() []string { return s.ring.Last(0) }

// URL is the base URL of the ready server ("" when not ready).
func (s *Supervisor) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.hub.Current().State != status.Ready {
		return ""
	}
	return baseURL(s.cur.port)
}

// PID is the live child's process id (0 when none).
func (s *Supervisor) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.cmd.Process.Pid
}

func baseURL(port int) string { return "http://" + net.JoinHostPort(Host, strconv.Itoa(port)) }

// Start launches ComfyUI and returns once it answers, or with an
// *ExitError / *StallError / ctx error. A ComfyUI left running by a crash of
// the app (pidfile) is stopped first. Calling Start while running is a no-op.
func (s *Supervisor) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return nil
	}
	if pf, ok := proc.ReadPidfile(s.cfg.PidFile); ok && s.cfg.PidFile != "" && pf.OwnedElsewhere(ctx) {
		s.mu.Unlock()
		err := fmt.Errorf("ComfyUI already runs (pid %d, port %d) for another ltx-studio window or terminal (pid %d); use it there, or stop it with `ltx-studio comfyui stop`", pf.PID, pf.Port, pf.Owner)
		s.hub.Publish(status.Event{State: status.Crashed, Message: err.Error(), Err: err, Final: true})
		return err
	}
	s.running = true
	s.stop = make(chan struct{})
	s.loopDone = make(chan struct{})
	stop, loopDone := s.stop, s.loopDone
	s.mu.Unlock()

	if s.cfg.PidFile != "" {
		if stopped, err := proc.StopStale(ctx, s.cfg.PidFile, s.cfg.StopGrace); err != nil {
			s.cfg.Logger.Warn("stale ComfyUI", "err", err)
		} else if stopped {
			s.cfg.Logger.Info("stopped a ComfyUI left running by an earlier session")
		}
	}
	if s.file != nil {
		if err := s.file.Open(); err != nil {
			s.cfg.Logger.Warn("ComfyUI log file", "err", err)
		}
	}
	startCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-startCtx.Done():
		}
	}()
	c, err := s.startOnce(startCtx, 0)
	if err != nil && portInUse(err) && startCtx.Err() == nil {
		// Another program took the port: the message promised another one.
		s.portTaken()
		c, err = s.startOnce(startCtx, 1)
	}
	if err != nil {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
		close(loopDone)
		if s.file != nil {
			s.file.Close()
		}
		return err
	}
	go s.watch(c, stop, loopDone)
	return nil
}

// startOnce launches one child and waits until it is ready; on failure the
// child is gone and a Crashed event (or nothing, when ctx ended) was published.
func (s *Supervisor) startOnce(ctx context.Context, attempt int) (*child, error) {
	msg := "Starting ComfyUI…"
	if attempt > 0 {
		msg = fmt.Sprintf("Restarting ComfyUI (attempt %d)…", attempt)
	}
	s.hub.Publish(status.Event{State: status.Starting, Message: msg, Restart: attempt})
	c, err := s.launch()
	if err != nil {
		s.hub.Publish(status.Event{State: status.Crashed, Message: err.Error(), Err: err, Restart: attempt})
		return nil, err
	}
	if err := s.waitReady(ctx, c); err != nil {
		s.terminate(context.WithoutCancel(ctx), c)
		s.clearChild(c)
		if ctx.Err() != nil {
			s.hub.Publish(status.Event{State: status.Stopped, Message: "The start of ComfyUI was cancelled"})
			return nil, fmt.Errorf("start of ComfyUI cancelled: %w", ctx.Err())
		}
		var tail []string
		var ee *ExitError
		var se *StallError
		switch {
		case errors.As(err, &ee):
			tail = ee.Tail
		case errors.As(err, &se):
			tail = se.Tail
		}
		if portInUse(err) {
			s.portTaken()
		}
		s.keepCrashLog()
		s.hub.Publish(status.Event{State: status.Crashed, Message: err.Error(), Err: err, Tail: tail, Restart: attempt})
		return nil, err
	}
	s.hub.Publish(status.Event{State: status.Ready, Message: "ComfyUI is ready", URL: baseURL(c.port), Restart: attempt})
	return c, nil
}

// watch restarts the child after crashes until Stop or the restart budget is spent.
func (s *Supervisor) watch(c *child, stop, loopDone chan struct{}) {
	defer close(loopDone)
	var restarts []time.Time
	for {
		select {
		case <-stop:
			return
		case <-c.done:
		}
		select { // Stop interrupts the child itself; that exit is no crash
		case <-stop:
			return
		default:
		}
		s.clearChild(c)
		if c.code == 0 {
			// A clean exit while running is a stop from outside (Ctrl-C in
			// another terminal, `ltx-studio comfyui stop`), not a crash.
			s.mu.Lock()
			s.running = false
			s.mu.Unlock()
			if s.file != nil {
				s.file.Close()
			}
			s.hub.Publish(status.Event{State: status.Stopped, Message: "ComfyUI was stopped outside the app"})
			return
		}
		tail := c.tail.Last(30)
		ee := &ExitError{Code: c.code, Reason: classify(c.code, tail, true, s.cfg.wording()), Tail: tail}
		if portInUse(ee) {
			s.portTaken()
		}
		s.keepCrashLog()
		s.hub.Publish(status.Event{State: status.Crashed, Message: ee.Reason, Err: ee, Tail: tail})
		s.cfg.Logger.Warn("ComfyUI crashed", "status", c.code, "reason", ee.Reason)

		for {
			now := time.Now()
			kept := restarts[:0]
			for _, t := range restarts {
				if now.Sub(t) < s.cfg.RestartWindow {
					kept = append(kept, t)
				}
			}
			restarts = kept
			if s.cfg.MaxRestarts < 0 || len(restarts) >= s.cfg.MaxRestarts {
				msg := ee.Reason
				if s.cfg.MaxRestarts > 0 {
					msg += fmt.Sprintf(" It crashed %d times in a row, so it is not restarted again; start it from the status bar.", len(restarts)+1)
				}
				s.hub.Publish(status.Event{State: status.Crashed, Message: msg, Err: ee, Tail: tail, Final: true})
				s.mu.Lock()
				s.running = false
				s.mu.Unlock()
				if s.file != nil {
					s.file.Close()
				}
				return
			}
			backoff := s.cfg.RestartBackoff << len(restarts)
			restarts = append(restarts, now)
			select {
			case <-stop:
				return
			case <-time.After(backoff):
			}
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-stop:
					cancel()
				case <-ctx.Done():
				}
			}()
			nc, err := s.startOnce(ctx, len(restarts))
			cancel()
			if err == nil {
				c = nc
				break
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}
}

// Stop interrupts ComfyUI (Ctrl-C: it cleans its temp folder), waits up to
// StopGrace, then kills the whole process tree. It returns when nothing is left.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	close(s.stop)
	c, loopDone := s.cur, s.loopDone
	s.mu.Unlock()

	s.hub.Publish(status.Event{State: status.Stopping, Message: "Stopping ComfyUI…"})
	var err error
	if c != nil {
		err = s.terminate(ctx, c)
		s.clearChild(c)
	}
	select {
	case <-loopDone:
	case <-ctx.Done():
		return fmt.Errorf("stopping ComfyUI: %w", ctx.Err())
	}
	if s.file != nil {
		s.file.Close()
	}
	s.hub.Publish(status.Event{State: status.Stopped, Message: "ComfyUI is stopped"})
	return err
}

// keepCrashLog copies the log of a failed start or a crash aside, so the
// rotation of later starts does not lose it.
func (s *Supervisor) keepCrashLog() {
	if s.file == nil {
		return
	}
	if p, err := s.file.KeepCrash(time.Now(), s.cfg.CrashLogs); err != nil {
		s.cfg.Logger.Warn("keeping the ComfyUI crash log", "err", err)
	} else {
		s.cfg.Logger.Info("ComfyUI crash log kept", "path", p)
	}
}

func (s *Supervisor) clearChild(c *child) {
	s.mu.Lock()
	if s.cur == c {
		s.cur = nil
	}
	s.mu.Unlock()
	if s.cfg.PidFile != "" {
		if pf, ok := proc.ReadPidfile(s.cfg.PidFile); ok && pf.PID == c.cmd.Process.Pid {
			os.Remove(s.cfg.PidFile)
		}
	}
}

// terminate stops c and its descendants and waits for c to be reaped.
func (s *Supervisor) terminate(ctx context.Context, c *child) error {
	tree := proc.Descendants(ctx, c.cmd.Process.Pid)
	select {
	case <-c.done:
	default:
		_ = proc.Interrupt(c.cmd.Process.Pid)
		select {
		case <-c.done:
		case <-time.After(s.cfg.StopGrace):
		case <-ctx.Done():
		}
	}
	var err error
	select {
	case <-c.done:
	default:
		err = proc.KillTree(ctx, c.cmd.Process.Pid)
		<-c.done
	}
	// ComfyUI may have started helpers that outlive it; they go too.
	for _, p := range tree {
		_ = proc.KillTree(ctx, int(p))
	}
	return err
}

// forbiddenOptions are the options the app sets itself and never lets the
// settings override: ComfyUI has no password, so listening on the network
// or allowing other web origins would open it to anyone there.
var forbiddenOptions = []string{"--listen", "--port", "--enable-cors-header"}

// checkExtraArgs refuses extra options that would move ComfyUI off
// 127.0.0.1 or off the port the supervisor checks. Python's argparse also
// accepts any unambiguous prefix of a long option ("--liste", "--po=80"),
// so every prefix of a forbidden option is refused too.
func checkExtraArgs(args []string, fc face.Face) error {
	for _, a := range args {
		name, _, _ := strings.Cut(a, "=")
		if len(name) <= 2 || !strings.HasPrefix(name, "--") {
			continue
		}
		for _, f := range forbiddenOptions {
			if strings.HasPrefix(f, name) {
				fix := `remove it in Settings → ComfyUI (use "connect to an existing ComfyUI" for a shared server)`
				if fc == face.Terminal {
					fix = "remove it from ComfyUI's start options (use generate --backend URL for a shared server)"
				}
				return fmt.Errorf("the extra ComfyUI option %s is not allowed (ComfyUI reads it as %s): the app keeps its ComfyUI on 127.0.0.1 at a port it picks; %s", a, f, fix)
			}
		}
	}
	return nil
}
