//go:build linux

// Command meterbench measures what the VRAM meter costs: it runs the NVML
// sampler and then the nvidia-smi loop sampler for a while each, prints every
// sample, and reports its own CPU time (getrusage) per sampler, with
// nvidia-smi's own CPU counted separately. Target: < 0.5 % of one core.
//
//	go build -o /tmp/meterbench ./engine/gpu/internal/meterbench && /tmp/meterbench -d 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
)

func cpu(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func show(s gpu.Sample) {
	line := s.Time.Format("15:04:05.000") + " " + s.Source
	for _, d := range s.GPUs {
		line += fmt.Sprintf(" | %d %s %d/%d MiB util %d%%", d.Index, d.Name, d.UsedMiB, d.TotalMiB, d.UtilPct)
	}
	if s.NoGPU != "" {
		line += " | NoGPU: " + s.NoGPU
	}
	line += fmt.Sprintf(" | RAM %d/%d MiB", s.RAMUsed>>20, s.RAMTotal>>20)
	fmt.Println(line)
}

func measure(name string, d, interval time.Duration, s gpu.Sampler) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	n := 0
	self0, kids0, t0 := cpu(syscall.RUSAGE_SELF), cpu(syscall.RUSAGE_CHILDREN), time.Now()
	err := s.Run(ctx, interval, func(x gpu.Sample) { n++; show(x) })
	wall := time.Since(t0)
	self, kids := cpu(syscall.RUSAGE_SELF)-self0, cpu(syscall.RUSAGE_CHILDREN)-kids0
	fmt.Printf("RESULT %s: %d samples in %v, err=%v; CPU self %v (%.3f%% of a core, %v/sample), children %v (%.3f%%), total %.3f%%\n",
		name, n, wall.Round(time.Millisecond), err, self, pct(self, wall), per(self, n), kids, pct(kids, wall), pct(self+kids, wall))
}

func pct(c, wall time.Duration) float64 { return 100 * c.Seconds() / wall.Seconds() }

func per(c time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return c / time.Duration(n)
}

func main() {
	d := flag.Duration("d", 60*time.Second, "how long to run each sampler")
	interval := flag.Duration("i", time.Second, "sampling interval")
	only := flag.String("only", "", "nvml or smi to run only one")
	flag.Parse()

	ctx := context.Background()
	v, err := gpu.DriverVersion(ctx)
	fmt.Printf("driver version: %q err=%v\n", v, err)
	ps, err := gpu.ProcessVRAM(ctx)
	fmt.Printf("process VRAM: %+v err=%v\n", ps, err)

	if *only != "smi" {
		n, err := gpu.OpenNVML()
		if err != nil {
			fmt.Println("RESULT nvml: unavailable:", err)
		} else {
			measure("nvml", *d, *interval, n)
			n.Close()
		}
	}
	if *only != "nvml" {
		measure("nvidia-smi loop", *d, *interval, &gpu.SMISampler{})
	}
	os.Exit(0)
}
