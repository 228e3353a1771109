// Command gpucheck is the GPU execution check (`./dev gpucheck`): on the GPU
// machine it places synthetic LTX-2.3 weights in a Hugging Face cache, links
// them into a real ComfyUI with the app's own models code, runs every mode ×
// preset through the app's `generate` command against that ComfyUI, and
// probes each video with the app's own prober. It never runs in CI.
//
//	gpucheck manifest                 the weight kinds the runs need
//	gpucheck cache -weights DIR -comfyui DIR   HF-cache layout + link into ComfyUI
//	gpucheck run -comfyui DIR -inputs DIR -out DIR [-url URL] [-only mode/preset]
//	gpucheck probe FILE…              what the app's prober reads from a file
//	gpucheck pool -urls U0,U1 -comfyui DIR -out DIR [-jobs 4]   multi-GPU throughput (pool.sh)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/models"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gpucheck manifest | cache | run | probe (see the package comment)")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "manifest":
		err = printManifest()
	case "cache":
		err = runCache(os.Args[2:])
	case "run":
		err = runMatrix(ctx, os.Args[2:])
	case "probe":
		err = probeFiles(ctx, os.Args[2:])
	case "pool":
		err = runPool(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gpucheck:", err)
		os.Exit(1)
	}
}

// Weight kinds make_weights.py can build.
const (
	kindCheckpoint = "checkpoint"
	kindLoRA       = "distilled_lora"
	kindICLoRA     = "ic_lora"
	kindUpscaler   = "upscaler"
	kindGemma      = "gemma"
	kindMoGe       = "moge"
)

// entry is one registry file the runs load, and the synthetic weights that
// stand in for it.
type entry struct {
	models.File
	Kind string `json:"kind"`
}

// kindOf picks the synthetic weights for a registry file from its folder and
// name, so renamed or added files (new checkpoints) need no change here.
func kindOf(f models.File) (string, error) {
	n := strings.ToLower(f.Name)
	switch {
	case f.Folder == "checkpoints":
		return kindCheckpoint, nil
	case f.Folder == "loras" && strings.Contains(n, "ic-lora"):
		return kindICLoRA, nil
	case f.Folder == "loras" && strings.Contains(n, "distilled"):
		return kindLoRA, nil
	case f.Folder == "latent_upscale_models":
		return kindUpscaler, nil
	case f.Folder == "text_encoders" && strings.HasPrefix(n, "gemma"):
		return kindGemma, nil
	case f.Folder == "geometry_estimation":
		return kindMoGe, nil
	}
	return "", fmt.Errorf("no synthetic weights for %s (add a kind to gpucheck)", f.Ref())
}

// manifest lists every file any planned run loads.
func manifest() ([]entry, error) {
	seen := map[models.Ref]bool{}
	var out []entry
	var loads []workflows.ModelRef
	for _, r := range plannedRuns() {
		// Both releases: which one a run uses comes from the app's settings.
		for _, w := range []workflows.Weights{workflows.Weights10, workflows.Weights11} {
			f := r.form("/nonexistent")
			f.Weights = w
			p, err := workflows.Build(f, workflows.BuildOptions{})
			if err != nil {
				// A run the form refuses (Style at a 32-multiple) loads nothing.
				continue
			}
			loads = append(loads, p.Models...)
		}
	}
	for _, m := range loads {
		ref := models.Ref{Folder: m.Folder, Name: m.Name}
		if seen[ref] {
			continue
		}
		seen[ref] = true
		f, ok := models.Lookup(m.Folder, m.Name)
		if !ok {
			return nil, fmt.Errorf("%s is not in the model registry", ref)
		}
		k, err := kindOf(f)
		if err != nil {
			return nil, err
		}
		out = append(out, entry{File: f, Kind: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref().String() < out[j].Ref().String() })
	return out, nil
}

func printManifest() error {
	m, err := manifest()
	if err != nil {
		return err
	}
	kinds := map[string]bool{}
	for _, e := range m {
		kinds[e.Kind] = true
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Kinds []string `json:"kinds"`
		Files []entry  `json:"files"`
	}{names, m})
}

func probeFiles(ctx context.Context, files []string) error {
	for _, f := range files {
		info, err := media.Probe(ctx, f)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s %s %dx%d %.3f fps %s audio=%v\n", f, info.Kind, info.Format, info.Width, info.Height, info.FPS, info.Duration, info.HasAudio)
	}
	return nil
}
