//go:build unix

package gpu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fixedRAM() (uint64, uint64, error) { return 3 << 30, 16 << 30, nil }

// fakeSMI writes an executable nvidia-smi shell script into a fresh dir and
// returns the dir.
func fakeSMI(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "nvidia-smi")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// collect runs s until n samples have arrived (or the guard timeout) and
// returns them, after Run has returned.
func collect(t *testing.T, s Sampler, n int) []Sample {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan Sample, 64)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, 100*time.Millisecond, func(x Sample) { ch <- x }) }()
	var got []Sample
	guard := time.After(20 * time.Second)
	for len(got) < n {
		select {
		case x := <-ch:
			got = append(got, x)
		case <-guard:
			t.Fatalf("only %d of %d samples arrived: %+v", len(got), n, got)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	return got
}

// The loop-mode script prints two GPUs per interval in one write, like the
// real nvidia-smi, and fails unless it was asked for loop mode.
const loopScript = `case "$*" in *"-lms 100"*) ;; *) echo "bad args: $*" >&2; exit 2;; esac
i=0
while :; do
  i=$((i+1))
  printf '0, Fake GPU, %d, 24564, 5\n1, Fake GPU, 7, 24564, [N/A]\n' "$i"
  sleep 0.05
done
`

func TestSMISamplerOnPath(t *testing.T) {
	t.Setenv("PATH", fakeSMI(t, loopScript)+string(os.PathListSeparator)+os.Getenv("PATH"))
	got := collect(t, &Auto{NoNVML: true, RAM: fixedRAM}, 3)
	for i, s := range got {
		if s.NoGPU != "" || s.Source != "nvidia-smi" || len(s.GPUs) != 2 {
			t.Fatalf("sample %d: %+v", i, s)
		}
		if s.GPUs[0].UsedMiB != uint64(i+1) || s.GPUs[0].TotalMiB != 24564 || s.GPUs[1].UtilPct != -1 {
			t.Errorf("sample %d GPUs: %+v", i, s.GPUs)
		}
		if s.RAMUsed != 3<<30 || s.RAMTotal != 16<<30 {
			t.Errorf("sample %d RAM: %d/%d", i, s.RAMUsed, s.RAMTotal)
		}
	}
}

func TestNoGPUSaysSoAndStillReadsRAM(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no nvidia-smi anywhere
	got := collect(t, &Auto{NoNVML: true}, 1)
	s := got[0]
	if s.NoGPU != NoSMIOnPath || len(s.GPUs) != 0 {
		t.Fatalf("sample: %+v", s)
	}
	if s.RAMTotal == 0 || s.RAMUsed == 0 || s.RAMUsed > s.RAMTotal {
		t.Errorf("RAM from gopsutil looks wrong: %d/%d", s.RAMUsed, s.RAMTotal)
	}
	if _, err := ProcessVRAM(context.Background()); !errors.Is(err, ErrNoNVIDIA) {
		t.Errorf("ProcessVRAM err = %v, want ErrNoNVIDIA", err)
	}
}

func TestCancelStopsChildAndItsChildren(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	smi := fakeSMI(t, "echo $$ > "+pidFile+"\nsleep 300 &\n"+loopScript) // a long-lived grandchild too
	got := collect(t, &SMISampler{Path: filepath.Join(smi, "nvidia-smi"), RAM: fixedRAM}, 1)
	if len(got[0].GPUs) != 2 {
		t.Fatalf("sample: %+v", got[0])
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Run has returned, so the child was reaped; nothing of its group (the
	// script's sleep too) may still run. Zombies waiting for init to reap
	// them are dead already and do not count.
	// Polled with no time limit of its own: a loaded machine under -race may
	// take seconds, and a group that never ends fails the test at go test's
	// timeout.
	for groupRunning(pid) {
		time.Sleep(20 * time.Millisecond)
	}
}

// groupRunning reports whether any non-zombie process is in group pgid.
func groupRunning(pgid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	if len(stats) == 0 { // no procfs: ask the kernel about the group
		return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
	}
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) >= 3 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" {
			return true
		}
	}
	return false
}

func TestSMIRestartsAfterItDies(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	smi := fakeSMI(t, `echo run >> `+runs+`
printf '0, Fake GPU, 42, 1000, 0\n'
echo "Unable to determine the device handle for GPU0000:01:00.0: GPU is lost." >&2
exit 15
`)
	s := &SMISampler{Path: filepath.Join(smi, "nvidia-smi"), RAM: fixedRAM, RestartDelay: 10 * time.Millisecond}
	got := collect(t, s, 4)
	var withGPU, lost int
	for _, x := range got {
		switch {
		case len(x.GPUs) == 1 && x.GPUs[0].UsedMiB == 42:
			withGPU++
		case strings.Contains(x.NoGPU, "GPU is lost") && x.RAMTotal == 16<<30:
			lost++
		default:
			t.Errorf("unexpected sample %+v", x)
		}
	}
	if withGPU < 2 || lost < 1 {
		t.Errorf("want ≥2 GPU samples around a restart and ≥1 'GPU is lost', got %d/%d: %+v", withGPU, lost, got)
	}
	b, _ := os.ReadFile(runs)
	if n := strings.Count(string(b), "run"); n < 2 {
		t.Errorf("nvidia-smi started %d times, want a restart", n)
	}
}

func TestOneShotQueries(t *testing.T) {
	smi := filepath.Join(fakeSMI(t, `case "$1" in
--query-compute-apps=pid,used_memory) printf '415, 10758\n999, [N/A]\n';;
--query-gpu=driver_version) printf '580.159.04\n580.159.04\n';;
*) echo "unknown query $1" >&2; exit 2;;
esac
`), "nvidia-smi")
	ctx := context.Background()
	ps, err := processVRAM(ctx, smi)
	if err != nil || len(ps) != 2 || ps[0] != (ProcessMem{415, 10758}) || ps[1].UsedMiB != -1 {
		t.Fatalf("processVRAM = %+v, %v", ps, err)
	}
	v, err := driverVersionSMI(ctx, smi)
	if err != nil || v != "580.159.04" {
		t.Fatalf("driver version = %q, %v", v, err)
	}
	failing := filepath.Join(fakeSMI(t, "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\nexit 9\n"), "nvidia-smi")
	if _, err := driverVersionSMI(ctx, failing); err == nil || !strings.Contains(err.Error(), "couldn't communicate") {
		t.Fatalf("failing nvidia-smi: err = %v", err)
	}
}
