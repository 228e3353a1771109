//go:build linux || windows

package gpu

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ebitengine/purego"
)

// NVML is the NVIDIA Management Library, loaded at run time with purego (no
// cgo, nothing needed at build time). One sample is a few driver calls, far
// cheaper than any nvidia-smi.
type NVML struct {
	mu      sync.Mutex
	lib     uintptr
	devs    []uintptr
	names   []string
	closed  bool
	useMem2 bool

	shutdown      func() int32
	memInfo       func(dev uintptr, m *nvmlMemory) int32
	memInfo2      func(dev uintptr, m *nvmlMemory2) int32
	util          func(dev uintptr, u *nvmlUtilization) int32
	driverVersion func(buf *byte, n uint32) int32
	errString     func(r int32) string
}

type nvmlMemory struct{ Total, Free, Used uint64 }

// nvmlMemory2 is nvmlMemory_v2_t: "used" there leaves out the driver's
// reserved memory, which is what nvidia-smi shows (v1 counts it as used).
type nvmlMemory2 struct {
	Version                     uint32
	_                           uint32
	Total, Reserved, Free, Used uint64
}

type nvmlUtilization struct{ GPU, Memory uint32 }

const nvmlMemory2Version = uint32(40) | 2<<24 // sizeof(nvmlMemory_v2_t) | version<<24

// OpenNVML loads the NVML library and initialises it. It fails with a plain
// error on machines without the NVIDIA driver.
func OpenNVML() (*NVML, error) {
	lib, err := loadNVMLLibrary()
	if err != nil {
		return nil, err
	}
	n := &NVML{lib: lib}
	var (
		initFn  func() int32
		count   func(c *uint32) int32
		byIndex func(i uint32, dev *uintptr) int32
		name    func(dev uintptr, buf *byte, n uint32) int32
	)
	required := []struct {
		fn   any
		name string
	}{
		{&initFn, "nvmlInit_v2"},
		{&n.shutdown, "nvmlShutdown"},
		{&count, "nvmlDeviceGetCount_v2"},
		{&byIndex, "nvmlDeviceGetHandleByIndex_v2"},
		{&name, "nvmlDeviceGetName"},
		{&n.memInfo, "nvmlDeviceGetMemoryInfo"},
		{&n.errString, "nvmlErrorString"},
	}
	for _, r := range required {
		sym, err := nvmlSymbol(lib, r.name)
		if err != nil {
			closeNVMLLibrary(lib)
			return nil, fmt.Errorf("NVML library is too old or damaged (%s missing): %w", r.name, err)
		}
		purego.RegisterFunc(r.fn, sym)
	}
	// Optional: newer drivers only.
	if sym, err := nvmlSymbol(lib, "nvmlDeviceGetMemoryInfo_v2"); err == nil {
		purego.RegisterFunc(&n.memInfo2, sym)
		n.useMem2 = true
	}
	if sym, err := nvmlSymbol(lib, "nvmlDeviceGetUtilizationRates"); err == nil {
		purego.RegisterFunc(&n.util, sym)
	}
	if sym, err := nvmlSymbol(lib, "nvmlSystemGetDriverVersion"); err == nil {
		purego.RegisterFunc(&n.driverVersion, sym)
	}

	if r := initFn(); r != 0 {
		closeNVMLLibrary(lib)
		return nil, fmt.Errorf("NVIDIA driver did not start NVML: %s", n.errString(r))
	}
	var c uint32
	if r := count(&c); r != 0 {
		n.Close()
		return nil, fmt.Errorf("NVML could not count GPUs: %s", n.errString(r))
	}
	if c == 0 {
		n.Close()
		return nil, errors.New("NVML found no NVIDIA GPU")
	}
	buf := make([]byte, 96) // NVML_DEVICE_NAME_V2_BUFFER_SIZE
	for i := range c {
		var d uintptr
		if r := byIndex(i, &d); r != 0 {
			n.Close()
			return nil, fmt.Errorf("NVML could not open GPU %d: %s", i, n.errString(r))
		}
		nm := fmt.Sprintf("GPU %d", i)
		if r := name(d, &buf[0], uint32(len(buf))); r == 0 {
			nm = cString(buf)
		}
		n.devs = append(n.devs, d)
		n.names = append(n.names, nm)
	}
	return n, nil
}

// Close shuts NVML down. Safe to call twice.
func (n *NVML) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.closed = true
	n.shutdown()
	// The library stays mapped: unloading it while another goroutine may
	// still hold a registered function pointer is not worth the risk.
}

// Devices reads every GPU now.
func (n *NVML) Devices() ([]Device, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, errors.New("NVML is closed")
	}
	out := make([]Device, len(n.devs))
	for i, d := range n.devs {
		dev := Device{Index: i, Name: n.names[i], UtilPct: -1}
		if n.useMem2 {
			m := nvmlMemory2{Version: nvmlMemory2Version}
			if r := n.memInfo2(d, &m); r == 0 {
				dev.UsedMiB, dev.TotalMiB = m.Used>>20, m.Total>>20
			} else {
				n.useMem2 = false // e.g. NOT_SUPPORTED: use v1 from now on
			}
		}
		if !n.useMem2 {
			var m nvmlMemory
			if r := n.memInfo(d, &m); r != 0 {
				return nil, fmt.Errorf("NVML could not read memory of GPU %d: %s", i, n.errString(r))
			}
			dev.UsedMiB, dev.TotalMiB = m.Used>>20, m.Total>>20
		}
		if n.util != nil {
			var u nvmlUtilization
			if r := n.util(d, &u); r == 0 {
				dev.UtilPct = int(u.GPU)
			}
		}
		out[i] = dev
	}
	return out, nil
}

// DriverVersion returns the driver version NVML reports.
func (n *NVML) DriverVersion() (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.driverVersion == nil || n.closed {
		return "", errors.New("NVML cannot tell the driver version")
	}
	buf := make([]byte, 80)
	if r := n.driverVersion(&buf[0], uint32(len(buf))); r != 0 {
		return "", fmt.Errorf("NVML driver version: %s", n.errString(r))
	}
	return cString(buf), nil
}

// Run implements Sampler: one reading per interval until ctx ends. A failed
// reading (GPU lost) becomes a RAM-only sample that says why.
func (n *NVML) Run(ctx context.Context, interval time.Duration, emit func(Sample)) error {
	return n.run(ctx, interval, nil, emit)
}

func (n *NVML) run(ctx context.Context, interval time.Duration, ram RAMFunc, emit func(Sample)) error {
	interval = max(interval, 100*time.Millisecond)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s := base(ram)
		if devs, err := n.Devices(); err != nil {
			s.NoGPU = err.Error()
		} else {
			s.GPUs, s.Source = devs, "nvml"
		}
		emit(s)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Count is the number of GPUs NVML found.
func (n *NVML) Count() int { return len(n.devs) }
