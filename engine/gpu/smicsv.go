package gpu

import (
	"fmt"
	"strconv"
	"strings"
)

// smiQueryGPU is the field list the nvidia-smi sampler asks for; parseGPULine
// reads exactly these, in this order.
const smiQueryGPU = "index,name,memory.used,memory.total,utilization.gpu"

// parseGPULine reads one line of
//
//	nvidia-smi --query-gpu=index,name,memory.used,memory.total,utilization.gpu --format=csv,noheader,nounits
//
// e.g. "0, NVIDIA H200, 10767, 143771, 0" (MiB, MiB, %). The name is taken as
// everything between the first and the last three commas, so a name with a
// comma in it still parses. "[N/A]" and "[Not Supported]" read as unknown:
// 0 for memory, -1 for utilisation.
func parseGPULine(line string) (Device, error) {
	line = strings.TrimSpace(line)
	first := strings.IndexByte(line, ',')
	if first < 0 {
		return Device{}, fmt.Errorf("nvidia-smi line %q: expected 5 comma-separated fields", line)
	}
	rest := line[first+1:]
	var tail [3]string
	for i := 2; i >= 0; i-- {
		c := strings.LastIndexByte(rest, ',')
		if c < 0 {
			return Device{}, fmt.Errorf("nvidia-smi line %q: expected 5 comma-separated fields", line)
		}
		tail[i] = strings.TrimSpace(rest[c+1:])
		rest = rest[:c]
	}
	idx, err := strconv.Atoi(strings.TrimSpace(line[:first]))
	if err != nil {
		return Device{}, fmt.Errorf("nvidia-smi line %q: GPU index: %w", line, err)
	}
	d := Device{Index: idx, Name: strings.TrimSpace(rest)}
	if d.UsedMiB, err = smiUint(tail[0]); err != nil {
		return Device{}, fmt.Errorf("nvidia-smi line %q: memory.used: %w", line, err)
	}
	if d.TotalMiB, err = smiUint(tail[1]); err != nil {
		return Device{}, fmt.Errorf("nvidia-smi line %q: memory.total: %w", line, err)
	}
	u, err := smiUint(tail[2])
	switch {
	case err != nil:
		return Device{}, fmt.Errorf("nvidia-smi line %q: utilization.gpu: %w", line, err)
	case isUnknown(tail[2]):
		d.UtilPct = -1
	default:
		d.UtilPct = int(u)
	}
	return d, nil
}

// isUnknown reports nvidia-smi's placeholders for a value the GPU does not
// report: "[N/A]", "[Not Supported]", "[Unknown Error]" and the like.
func isUnknown(f string) bool {
	return strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]")
}

// smiUint parses a numeric field; placeholders read as 0 with no error.
func smiUint(f string) (uint64, error) {
	if isUnknown(f) || f == "N/A" {
		return 0, nil
	}
	return strconv.ParseUint(f, 10, 64)
}

// ProcessMem is one process's GPU memory, from --query-compute-apps.
type ProcessMem struct {
	PID     int
	UsedMiB int64 // -1 when the driver does not say (Windows WDDM prints "[N/A]")
}

// parseAppsCSV reads the output of
//
//	nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits
//
// one "415, 10758" line per process. Lines that do not parse (nvidia-smi
// prints "No running processes found" on some versions) are skipped.
func parseAppsCSV(out string) []ProcessMem {
	var ps []ProcessMem
	for _, line := range strings.Split(out, "\n") {
		pidS, memS, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(pidS))
		if err != nil {
			continue
		}
		memS = strings.TrimSpace(memS)
		p := ProcessMem{PID: pid, UsedMiB: -1}
		if !isUnknown(memS) {
			if v, err := strconv.ParseInt(memS, 10, 64); err == nil {
				p.UsedMiB = v
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// SplitVRAM adds up process memory into what belongs to ours (e.g. the PIDs
// of the managed ComfyUI tree) and everything else. Unknown amounts count 0.
func SplitVRAM(ps []ProcessMem, ours func(pid int) bool) (oursMiB, otherMiB uint64) {
	for _, p := range ps {
		if p.UsedMiB < 0 {
			continue
		}
		if ours != nil && ours(p.PID) {
			oursMiB += uint64(p.UsedMiB)
		} else {
			otherMiB += uint64(p.UsedMiB)
		}
	}
	return oursMiB, otherMiB
}
