package studio

import (
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func TestCheckFit(t *testing.T) {
	h200 := gpu.Sample{GPUs: []gpu.Device{{Name: "H200", TotalMiB: 143771}}, RAMTotal: 128 << 30, RAMUsed: 8 << 30}
	rtx4090 := gpu.Sample{GPUs: []gpu.Device{{Name: "RTX 4090", TotalMiB: 24564, UsedMiB: 1200}}, RAMTotal: 64 << 30, RAMUsed: 8 << 30}
	tiny := gpu.Sample{GPUs: []gpu.Device{{Name: "small", TotalMiB: 8192}}, RAMTotal: 16 << 30, RAMUsed: 8 << 30}
	// A busy 4090 beside a free H200: the job goes to the H200.
	pair := gpu.Sample{GPUs: []gpu.Device{rtx4090.GPUs[0], {Index: 1, Name: "H200", TotalMiB: 143771}}, RAMTotal: 16 << 30, RAMUsed: 8 << 30}
	base := workflows.DefaultForm(workflows.T2V)
	bf16 := base
	bf16.Precision = workflows.BF16
	cases := []struct {
		name string
		f    workflows.Form
		s    gpu.Sample
		want Verdict
		says string
	}{
		{"fp8 on an H200", base, h200, OK, ""},
		{"bf16 on an H200", bf16, h200, OK, ""},
		{"bf16 on a 4090 offloads", bf16, rtx4090, Warn, "choose fp8"},
		{"fp8 on 8 GB and 16 GB RAM fails", base, tiny, Fail, "lower the size"},
		{"bf16 on a 4090 beside an H200", bf16, pair, OK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fit, ok := CheckFit(c.f, c.s)
			if !ok || fit.Verdict != c.want || !strings.Contains(fit.Advice, c.says) {
				t.Fatalf("got %+v (ok %v), want %v mentioning %q", fit, ok, c.want, c.says)
			}
		})
	}
	if _, ok := CheckFit(base, gpu.Sample{NoGPU: "none"}); ok {
		t.Fatal("no GPU reading must give no verdict")
	}
	long := base
	long.Seconds = 20
	if EstimatePeak(long) <= EstimatePeak(base) {
		t.Fatal("a longer clip must need more memory")
	}
}
