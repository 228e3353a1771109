package gpu

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NoGPU is the one way the app says there is no NVIDIA GPU to use: the
// meter, the setup checks and the installer's warning all start with it.
const NoGPU = "No NVIDIA GPU found"

// NoSMIOnPath is the NoGPU text when neither NVML nor nvidia-smi is there.
const NoSMIOnPath = NoGPU

// SMISampler reads GPU memory from one long-lived nvidia-smi in loop mode
// (-lms), parsing its CSV lines as they arrive. Spawning nvidia-smi once a
// second costs ~18 ms of CPU per sample; the loop costs ~1 ms (gpu.md).
// A dead nvidia-smi (driver reset, GPU lost) is restarted with backoff, and
// RAM-only samples saying why keep flowing meanwhile.
type SMISampler struct {
	Path         string        // nvidia-smi binary; "" looks it up on PATH
	RAM          RAMFunc       // nil: gopsutil
	Log          *slog.Logger  // nil: slog.Default()
	RestartDelay time.Duration // first wait before a restart, doubling to 30 s; 0 means 1 s
}

// Run implements Sampler. It returns nil when ctx ends, after the child has
// been killed and reaped.
func (s *SMISampler) Run(ctx context.Context, interval time.Duration, emit func(Sample)) error {
	interval = max(interval, 100*time.Millisecond)
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	path := s.Path
	if path == "" {
		p, err := FindSMI()
		if err != nil {
			return ramOnly(ctx, interval, s.RAM, NoSMIOnPath, emit)
		}
		path = p
	}
	first := s.RestartDelay
	if first <= 0 {
		first = time.Second
	}
	delay := first
	for {
		started := time.Now()
		reason := s.loop(ctx, path, interval, emit)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("nvidia-smi exited; restarting", "reason", reason, "after", delay)
		if time.Since(started) > 30*time.Second {
			delay = first // it ran fine for a while: this is a fresh failure
		}
		waitCtx, cancel := context.WithTimeout(ctx, delay)
		_ = ramOnly(waitCtx, interval, s.RAM, reason, emit)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		delay = min(delay*2, 30*time.Second)
	}
}

// loop runs nvidia-smi once until it exits or ctx ends and returns why it
// stopped, in words.
func (s *SMISampler) loop(ctx context.Context, path string, interval time.Duration, emit func(Sample)) string {
	cmd := exec.CommandContext(ctx, path,
		"--query-gpu="+smiQueryGPU, "--format=csv,noheader,nounits",
		"-lms", strconv.FormatInt(interval.Milliseconds(), 10))
	prepareChild(cmd)
	cmd.WaitDelay = 2 * time.Second
	var stderr tailBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "nvidia-smi: " + err.Error()
	}
	if err := cmd.Start(); err != nil {
		return "nvidia-smi could not start: " + err.Error()
	}
	p := newLoopParser(s.RAM)
	lastBad := p.feed(out, emit)
	werr := cmd.Wait()
	switch {
	case lastBad != "":
		return "nvidia-smi: " + lastBad
	case stderr.String() != "":
		return "nvidia-smi: " + stderr.String()
	case werr != nil:
		return "nvidia-smi stopped: " + werr.Error()
	default:
		return "nvidia-smi stopped"
	}
}

// loopParser groups loop-mode lines into samples: nvidia-smi writes all GPUs
// of one interval at once, so a batch ends when the read buffer runs dry or
// a GPU index repeats.
type loopParser struct {
	ram   RAMFunc
	batch []Device
}

func newLoopParser(ram RAMFunc) *loopParser { return &loopParser{ram: ram} }

// feed reads r to its end, emitting one sample per interval, and returns the
// last line that was not a GPU reading (nvidia-smi's own error text).
func (p *loopParser) feed(r io.Reader, emit func(Sample)) (lastBad string) {
	br := bufio.NewReaderSize(r, 4096)
	for {
		line, err := br.ReadSlice('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if bad := p.line(line, emit); bad != "" {
				lastBad = bad
			} else {
				lastBad = ""
			}
			if br.Buffered() == 0 {
				p.flush(emit)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			// An absurdly long line: drop the rest of it.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			p.flush(emit)
			return lastBad
		}
	}
}

// line adds one CSV line to the batch; it returns the line itself when it is
// not a GPU reading.
func (p *loopParser) line(b []byte, emit func(Sample)) string {
	d, err := parseGPULine(string(b))
	if err != nil {
		return strings.TrimSpace(string(b))
	}
	for _, have := range p.batch {
		if have.Index == d.Index {
			p.flush(emit)
			break
		}
	}
	p.batch = append(p.batch, d)
	return ""
}

func (p *loopParser) flush(emit func(Sample)) {
	if len(p.batch) == 0 {
		return
	}
	s := base(p.ram)
	s.Source = "nvidia-smi"
	s.GPUs = append([]Device(nil), p.batch...) // the receiver may keep it
	p.batch = p.batch[:0]
	emit(s)
}

// ramOnly emits RAM-only samples carrying why there is no GPU reading, once
// per interval, until ctx ends.
func ramOnly(ctx context.Context, interval time.Duration, ram RAMFunc, why string, emit func(Sample)) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s := base(ram)
		s.NoGPU = why
		emit(s)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// tailBuffer keeps the last line of a child's stderr, for error messages.
type tailBuffer struct {
	mu   sync.Mutex
	last string
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			t.last = l
		}
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// runSMI runs nvidia-smi once with args and returns its stdout.
func runSMI(ctx context.Context, path string, args ...string) (string, error) {
	if path == "" {
		p, err := FindSMI()
		if err != nil {
			return "", err
		}
		path = p
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	prepareChild(cmd)
	cmd.WaitDelay = time.Second
	var stderr tailBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := stderr.String(); msg != "" {
			return "", fmt.Errorf("nvidia-smi failed: %s", msg)
		}
		if msg := strings.TrimSpace(string(out)); msg != "" {
			return "", fmt.Errorf("nvidia-smi failed: %s", msg)
		}
		return "", fmt.Errorf("nvidia-smi failed: %w", err)
	}
	return string(out), nil
}
