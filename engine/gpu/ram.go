package gpu

import (
	"time"

	"github.com/shirou/gopsutil/v4/mem"
)

// RAMFunc reads system memory (used, total bytes). Samplers take one so tests
// can pin the numbers; nil means the real reading from gopsutil.
type RAMFunc func() (used, total uint64, err error)

// SystemRAM reads used and total system memory with gopsutil (reads
// /proc/meminfo on Linux, GlobalMemoryStatusEx on Windows; no cgo).
func SystemRAM() (used, total uint64, err error) {
	vm, err := mem.VirtualMemory()
	if err != nil {
		return 0, 0, err
	}
	return vm.Used, vm.Total, nil
}

// base fills the parts of a sample every sampler shares: time and RAM. A RAM
// read error leaves RAM at zero; the meter shows "—" rather than failing.
func base(ram RAMFunc) Sample {
	if ram == nil {
		ram = SystemRAM
	}
	s := Sample{Time: time.Now()}
	if used, total, err := ram(); err == nil {
		s.RAMUsed, s.RAMTotal = used, total
	}
	return s
}
