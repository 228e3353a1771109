package studio

import (
	"fmt"

	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// Rough sizes the fit check works from. They are estimates, not readings:
// the 22B transformer at one byte per weight (fp8) or two (bf16), Gemma 3 12B
// at ~0.6 bytes per weight (fp4 mixed) or two, and activations that grow with
// the latent token count of the largest sampling pass. ComfyUI loads the text
// encoder and the transformer one after the other, so the peak is the larger
// of the two phases, not their sum.
const (
	gib            = uint64(1) << 30
	ditFP8         = 23 * gib
	ditBF16        = 44 * gib
	gemmaFP4       = 8 * gib
	gemmaBF16      = 24 * gib
	bytesPerToken  = 320 << 10 // activations per latent token (attention + MLP working set)
	decodeWorkload = 3 * gib   // tiled VAE decode
)

// Fit is the answer to "will this job fit on this machine?".
type Fit struct {
	Need     uint64 // estimated peak GPU memory
	VRAMFree uint64
	RAMFree  uint64
	Verdict  Verdict // OK, Warn (will offload to RAM: slower), Fail (will not fit)
	Advice   string
}

// EstimatePeak is the predicted peak GPU memory of a form's job.
func EstimatePeak(f workflows.Form) uint64 {
	dit, te := ditFP8, gemmaFP4
	if f.Precision == workflows.BF16 {
		dit, te = ditBF16, gemmaBF16
	}
	frames := workflows.Frames(f.Seconds, f.FPS)
	tokens := uint64(f.Width/32) * uint64(f.Height/32) * uint64((frames-1)/8+1)
	sampling := dit + tokens*bytesPerToken
	return max(sampling, te, dit+decodeWorkload)
}

// CheckFit compares the estimate with what the last meter sample says is
// free. No GPU reading (no NVIDIA GPU, or a remote server) means no verdict.
func CheckFit(f workflows.Form, s gpu.Sample) (Fit, bool) {
	if len(s.GPUs) == 0 {
		return Fit{}, false
	}
	// With several GPUs the job goes to one with room: judge by the GPU
	// with the most free memory.
	d := s.GPUs[0]
	for _, g := range s.GPUs[1:] {
		if g.FreeMiB() > d.FreeMiB() {
			d = g
		}
	}
	fit := Fit{Need: EstimatePeak(f), VRAMFree: (d.TotalMiB - min(d.UsedMiB, d.TotalMiB)) << 20}
	if s.RAMTotal > s.RAMUsed {
		fit.RAMFree = s.RAMTotal - s.RAMUsed
	}
	short := func() string {
		var tips []string
		if f.Precision == workflows.BF16 {
			tips = append(tips, "choose fp8 precision")
		}
		tips = append(tips, "lower the size or the length", "or set VRAM mode to low in Settings")
		out := ""
		for i, t := range tips {
			if i > 0 {
				out += ", "
			}
			out += t
		}
		return out
	}
	switch {
	case fit.Need <= fit.VRAMFree:
		fit.Verdict = OK
	case fit.Need <= fit.VRAMFree+fit.RAMFree:
		fit.Verdict = Warn
		fit.Advice = fmt.Sprintf("This job needs about %.0f GiB of GPU memory and %.0f GiB is free: ComfyUI will keep part of the model in RAM, which is much slower. To avoid that, %s.",
			float64(fit.Need)/float64(gib), float64(fit.VRAMFree)/float64(gib), short())
	default:
		fit.Verdict = Fail
		fit.Advice = fmt.Sprintf("This job needs about %.0f GiB and only %.0f GiB of GPU memory plus %.0f GiB of RAM are free: it will most likely run out of memory. Please %s.",
			float64(fit.Need)/float64(gib), float64(fit.VRAMFree)/float64(gib), float64(fit.RAMFree)/float64(gib), short())
	}
	return fit, true
}
