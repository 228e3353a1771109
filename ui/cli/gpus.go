package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/ltxstudio/ltx-studio/engine/comfyapi"
	"github.com/ltxstudio/ltx-studio/engine/comfyui"
	"github.com/ltxstudio/ltx-studio/engine/face"
	"github.com/ltxstudio/ltx-studio/engine/gpu"
	"github.com/ltxstudio/ltx-studio/engine/settings"
	"github.com/ltxstudio/ltx-studio/engine/studio"
)

func init() {
	register(Command{Name: "gpus", Summary: "list the GPUs and which run a ComfyUI (gpus [list] | gpus use all|0,1 | gpus unload N|all)", Run: runGPUs})
}

func runGPUs(ctx context.Context, env Env, args []string) error {
	s, err := openStudio(env, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case len(args) == 0 || (len(args) == 1 && args[0] == "list"):
		chosen := s.ChosenGPUs()
		// Where each chosen GPU's ComfyUI answers, when the window (or
		// `comfyui start`) runs it.
		running := map[int]string{}
		for i, d := range chosen {
			if _, url, ok := comfyui.RunningOnGPU(ctx, s.Dirs(), d.Index, i == 0); ok {
				running[d.Index] = url
			}
		}
		printGPUs(env.Stdout, s.GPUs(), chosen, s.Settings().ChosenGPUs(), running)
		return nil
	case len(args) == 2 && args[0] == "use":
		choice, err := settings.ParseGPUChoice(args[1])
		if err != nil {
			return err
		}
		set := s.Settings()
		set.GPUs, set.GPUIndex = choice, 0
		if err := s.SaveSettings(set); err != nil {
			return fmt.Errorf("saving GPUs to use: %w", err)
		}
		for _, n := range choice {
			if !slices.ContainsFunc(s.GPUs(), func(d gpu.Device) bool { return d.Index == n }) {
				fmt.Fprintf(env.Stderr, "note: GPU %d is not on this machine now; it is used when it is there\n", n)
			}
		}
		fmt.Fprintf(env.Stdout, "GPUs to use: %s (from the next start of ComfyUI)\n", choice)
		return nil
	case len(args) == 2 && args[0] == "unload":
		return unloadGPUs(ctx, env, s, args[1])
	}
	return errors.New("usage: ltx-studio gpus [list] | ltx-studio gpus use all|0,1 | ltx-studio gpus unload N|all")
}

// unloadGPUs asks the running ComfyUI of one GPU (or of each) to unload its
// models, leaving the other GPUs' loaded: the window or `comfyui start`
// keeps running them.
func unloadGPUs(ctx context.Context, env Env, s *studio.Studio, which string) error {
	choice, err := settings.ParseGPUChoice(which)
	if err != nil {
		return err
	}
	chosen := s.ChosenGPUs()
	if len(chosen) == 0 {
		//lint:ignore ST1005 a sentence shown to the user as it is (NoGPU is its start)
		return errors.New(gpu.NoGPU + "; nothing to unload here")
	}
	done := 0
	for i, d := range chosen {
		if len(choice) > 0 && !slices.Contains(choice, d.Index) {
			continue
		}
		_, url, ok := comfyui.RunningOnGPU(ctx, s.Dirs(), d.Index, i == 0)
		if !ok {
			fmt.Fprintf(env.Stdout, "GPU %d: no ComfyUI running\n", d.Index)
			continue
		}
		if err := comfyapi.New(url, nil).Free(ctx, true, true); err != nil {
			return fmt.Errorf("unloading the models on GPU %d: %w", d.Index, err)
		}
		fmt.Fprintf(env.Stdout, "GPU %d: models unloaded\n", d.Index)
		done++
	}
	if done == 0 && len(choice) > 0 {
		return fmt.Errorf("no ComfyUI of the app runs on GPU %s", choice)
	}
	return nil
}

func printGPUs(w io.Writer, found, chosen []gpu.Device, setting settings.GPUChoice, running map[int]string) {
	if len(found) == 0 {
		fmt.Fprintln(w, gpu.NoGPU+"; jobs run on a ComfyUI server of your own: generate --backend URL (or LTX_STUDIO_COMFYUI_URL), or "+
			face.SettingsKey("remote_urls", ""))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GPU\tNAME\tTOTAL\tFREE\tUSED BY THE APP")
	for _, d := range found {
		use := "no"
		if slices.ContainsFunc(chosen, func(c gpu.Device) bool { return c.Index == d.Index }) {
			use = "yes: one ComfyUI"
			if u, ok := running[d.Index]; ok {
				use += ", running at " + u
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%.1f GiB\t%.1f GiB\t%s\n", d.Index, d.Name, gibOf(d.TotalBytes()), gibOf(d.FreeBytes()), use)
	}
	tw.Flush()
	how := "all that fit a mode at fp8 (about " + fmt.Sprintf("%.0f GiB", gibOf(studio.MinFP8Need())) + " or more)"
	if len(setting) > 0 {
		how = "GPUs " + setting.String()
	}
	fmt.Fprintf(w, "GPUs to use: %s; change with: ltx-studio gpus use all|0,1\n", how)
}

func gibOf(b uint64) float64 { return float64(b) / (1 << 30) }
