package gpu

import (
	"strings"
	"testing"
)

func TestParseGPULine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Device
		wantErr bool
	}{
		{"h200 measured", "0, NVIDIA H200, 10767, 143771, 0", Device{0, "NVIDIA H200", 10767, 143771, 0}, false},
		{"no spaces, crlf", "1,NVIDIA GeForce RTX 4090,512,24564,37\r\n", Device{1, "NVIDIA GeForce RTX 4090", 512, 24564, 37}, false},
		{"util N/A", "0, Tesla K80, 100, 11441, [N/A]", Device{0, "Tesla K80", 100, 11441, -1}, false},
		{"memory not supported", "0, NVIDIA GB10, [Not Supported], [Not Supported], 3", Device{0, "NVIDIA GB10", 0, 0, 3}, false},
		{"comma in name", "2, Weird, Inc. GPU, 1, 2, 3", Device{2, "Weird, Inc. GPU", 1, 2, 3}, false},
		{"driver error text", "No devices were found", Device{}, true},
		{"too few fields", "0, NVIDIA H200, 10767", Device{}, true},
		{"bad index", "x, NVIDIA H200, 1, 2, 3", Device{}, true},
		{"bad number", "0, NVIDIA H200, 1.5, 2, 3", Device{}, true},
		{"empty", "", Device{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGPULine(tt.line)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoopParserGroupsGPUsPerInterval(t *testing.T) {
	// Two intervals of two GPUs arriving in one read: the repeated index 0
	// starts the second sample.
	in := "0, GPU A, 10, 100, 1\n1, GPU B, 20, 200, [N/A]\n0, GPU A, 11, 100, 2\n1, GPU B, 21, 200, [N/A]\n"
	var got []Sample
	p := newLoopParser(func() (uint64, uint64, error) { return 1, 2, nil })
	bad := p.feed(strings.NewReader(in), func(s Sample) { got = append(got, s) })
	if bad != "" {
		t.Fatalf("unexpected bad line %q", bad)
	}
	if len(got) != 2 {
		t.Fatalf("got %d samples, want 2: %+v", len(got), got)
	}
	for i, s := range got {
		if len(s.GPUs) != 2 || s.GPUs[0].Name != "GPU A" || s.GPUs[1].UtilPct != -1 {
			t.Errorf("sample %d: %+v", i, s.GPUs)
		}
		if s.GPUs[0].UsedMiB != uint64(10+i) || s.RAMUsed != 1 || s.RAMTotal != 2 || s.Source != "nvidia-smi" {
			t.Errorf("sample %d: %+v", i, s)
		}
	}
	// The emitted slices must not alias the parser's batch.
	if got[0].GPUs[0].UsedMiB != 10 {
		t.Errorf("first sample was overwritten: %+v", got[0].GPUs)
	}
}

func TestLoopParserReportsDriverText(t *testing.T) {
	p := newLoopParser(func() (uint64, uint64, error) { return 0, 0, nil })
	n := 0
	bad := p.feed(strings.NewReader("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"), func(Sample) { n++ })
	if n != 0 || !strings.Contains(bad, "couldn't communicate") {
		t.Fatalf("samples=%d bad=%q", n, bad)
	}
}

func TestParseAppsAndSplit(t *testing.T) {
	out := "415, 10758\n\n999, [N/A]\nNo running processes found\n1200, 2048\n"
	ps := parseAppsCSV(out)
	want := []ProcessMem{{415, 10758}, {999, -1}, {1200, 2048}}
	if len(ps) != len(want) {
		t.Fatalf("got %+v, want %+v", ps, want)
	}
	for i := range want {
		if ps[i] != want[i] {
			t.Errorf("[%d] got %+v, want %+v", i, ps[i], want[i])
		}
	}
	ours, other := SplitVRAM(ps, func(pid int) bool { return pid == 415 })
	if ours != 10758 || other != 2048 {
		t.Errorf("split = %d/%d, want 10758/2048", ours, other)
	}
}

func TestDeviceFree(t *testing.T) {
	if f := (Device{UsedMiB: 10, TotalMiB: 100}).FreeMiB(); f != 90 {
		t.Errorf("free = %d", f)
	}
	if f := (Device{UsedMiB: 10}).FreeMiB(); f != 0 {
		t.Errorf("free with unknown total = %d", f)
	}
}

// Parse cost of one GPU line, the sampler's per-sample work besides RAM.
func BenchmarkParseGPULine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseGPULine("0, NVIDIA H200, 10767, 143771, 0\n"); err != nil {
			b.Fatal(err)
		}
	}
}

// One whole sample as the loop sampler makes it: parse one interval's line,
// read RAM with gopsutil, build the Sample.
func BenchmarkLoopSample(b *testing.B) {
	b.ReportAllocs()
	p := newLoopParser(nil)
	line := []byte("0, NVIDIA H200, 10767, 143771, 0\n")
	emit := func(Sample) {}
	for b.Loop() {
		p.line(line, emit)
		p.flush(emit)
	}
}
