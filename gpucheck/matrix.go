package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/media"
	"github.com/ltxstudio/ltx-studio/ui/cli"
	"github.com/ltxstudio/ltx-studio/workflows"
)

// result is one row of the report.
type result struct {
	Run        string  `json:"run"`
	Mode       string  `json:"mode"`
	Preset     string  `json:"preset"`
	Precision  string  `json:"precision"`
	Size       string  `json:"size"`
	Pass       bool    `json:"pass"`
	Outcome    string  `json:"outcome"`
	Seconds    float64 `json:"seconds"`
	PeakVRAMMB int     `json:"peak_vram_mb"`
	Output     string  `json:"output"`
	ModelLoads int     `json:"model_loads"`
	// ComfySeconds is ComfyUI's own "Prompt executed in" time.
	ComfySeconds float64 `json:"comfyui_seconds"`
	Detail       string  `json:"detail,omitempty"`
}

func runMatrix(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8188", "the ComfyUI to generate on")
	comfy := fs.String("comfyui", "", "that ComfyUI's folder (its input/ is used, its log read)")
	comfyLog := fs.String("log", "", "ComfyUI's log file (model loads are counted from it)")
	inputs := fs.String("inputs", "", "folder from make_inputs.py")
	out := fs.String("out", "", "folder for the videos, results.json and report.md")
	only := fs.String("only", "", "run only labels containing this text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *comfy == "" || *inputs == "" || *out == "" {
		return errors.New("run needs -comfyui, -inputs and -out")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var results []result
	for i, r := range plannedRuns() {
		if *only != "" && !strings.Contains(r.label(), *only) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		res := execute(ctx, r, *url, filepath.Join(*comfy, "input"), *inputs, filepath.Join(*out, fmt.Sprintf("%02d-%s-%s-%s.mp4", i, r.Mode, r.Preset, r.Precision)), *comfyLog)
		status := "PASS"
		if !res.Pass {
			status = "FAIL"
		}
		fmt.Printf("== %-4s %-34s %6.1fs  peak %6d MiB  loads %d  %s  %s\n", status, res.Run, res.Seconds, res.PeakVRAMMB, res.ModelLoads, res.Output, res.Detail)
		results = append(results, res)
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(filepath.Join(*out, "results.json"), b, 0o644); err != nil {
			return err
		}
	}
	return writeReport(filepath.Join(*out, "report.md"), results)
}

func execute(ctx context.Context, r run, url, comfyInput, inputs, out, comfyLog string) result {
	res := result{Run: r.label(), Mode: string(r.Mode), Preset: string(r.Preset), Precision: string(r.Precision),
		Size: fmt.Sprintf("%d×%d×%d", r.Width, r.Height, r.frames())}
	logStart := fileSize(comfyLog)
	var buf bytes.Buffer
	w := io.MultiWriter(&buf, os.Stdout)
	peak := sampleVRAM()
	start := time.Now()
	code := cli.Run(ctx, cli.Env{Stdout: w, Stderr: w}, r.generateArgs(url, comfyInput, inputs, out))
	res.Seconds = math.Round(time.Since(start).Seconds()*10) / 10
	res.PeakVRAMMB = peak()
	res.ModelLoads, res.ComfySeconds = fromLog(comfyLog, logStart)
	text := buf.String()
	if code != 0 {
		res.Detail = lastLine(text)
		if r.MayRefuse && strings.Contains(text, "multiple of") && !strings.Contains(text, "job ") {
			res.Pass, res.Outcome = true, "refused by the form before queueing"
		} else {
			res.Outcome = "generate failed"
		}
		return res
	}
	res.Outcome = "video"
	res.Output, res.Detail, res.Pass = checkVideo(ctx, out, r)
	if strings.Contains(text, "enhanced prompt:") {
		res.Outcome = "video, prompt enhanced by Gemma"
	}
	return res
}

// checkVideo probes the result with the app's prober and compares it with
// what the run asked for.
func checkVideo(ctx context.Context, path string, r run) (facts, problem string, ok bool) {
	info, err := media.Probe(ctx, path)
	if err != nil {
		return "", err.Error(), false
	}
	frames := int(math.Round(info.Duration.Seconds() * info.FPS))
	facts = fmt.Sprintf("%s %dx%d, %d frames @ %.2f fps, %.3f s, audio=%v", info.Format, info.Width, info.Height, frames, info.FPS, info.Duration.Seconds(), info.HasAudio)
	var bad []string
	if info.Kind != media.Video {
		bad = append(bad, "not a video")
	}
	if info.Width != r.Width || info.Height != r.Height {
		bad = append(bad, fmt.Sprintf("size %dx%d, want %dx%d", info.Width, info.Height, r.Width, r.Height))
	}
	if want := r.frames(); frames != want || (frames-1)%8 != 0 {
		bad = append(bad, fmt.Sprintf("%d frames, want %d (8n+1)", frames, want))
	}
	if math.Abs(info.FPS-checkFPS) > 0.01 {
		bad = append(bad, fmt.Sprintf("%.3f fps, want %d", info.FPS, checkFPS))
	}
	if want := workflows.TrueSeconds(r.frames(), checkFPS); math.Abs(info.Duration.Seconds()-want) > 0.05 {
		bad = append(bad, fmt.Sprintf("lasts %.3f s, want %.3f", info.Duration.Seconds(), want))
	}
	if !info.HasAudio {
		bad = append(bad, "no sound track")
	}
	return facts, strings.Join(bad, "; "), len(bad) == 0
}

// sampleVRAM polls nvidia-smi every 200 ms until the returned func is called,
// which returns the highest memory.used seen (MiB; 0 without nvidia-smi).
func sampleVRAM() func() int {
	var mu sync.Mutex
	peak := 0
	done := make(chan struct{})
	finished := make(chan struct{})
	read := func() {
		b, err := exec.Command("nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits").Output()
		if err != nil {
			return
		}
		v, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
		if err == nil {
			mu.Lock()
			peak = max(peak, v)
			mu.Unlock()
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// fromLog reads what ComfyUI logged since offset from: how many times it
// moved a model onto the GPU ("Requested to load …", printed only for models
// not already loaded) and its own "Prompt executed in N seconds".
func fromLog(path string, from int64) (loads int, seconds float64) {
	f, err := os.Open(path)
	if err != nil {
		return -1, 0
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return -1, 0
	}
	b, _ := io.ReadAll(f)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "Requested to load") {
			loads++
		}
		if m := executedRe.FindStringSubmatch(l); m != nil {
			seconds, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	return loads, seconds
}

var executedRe = regexp.MustCompile(`Prompt executed in ([0-9.]+) seconds`)

func fileSize(p string) int64 {
	if st, err := os.Stat(p); err == nil {
		return st.Size()
	}
	return 0
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func writeReport(path string, rs []result) error {
	var b strings.Builder
	fmt.Fprintln(&b, "| Run | Mode | Preset | Precision | Size | Result | Seconds (generate / ComfyUI) | Peak VRAM | Output (app's prober) | Model loads |")
	fmt.Fprintln(&b, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	pass := 0
	for _, r := range rs {
		st := "**FAIL**: " + r.Outcome
		if r.Pass {
			st = "pass: " + r.Outcome
			pass++
		}
		if r.Detail != "" {
			st += " — " + strings.ReplaceAll(r.Detail, "|", "/")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %.1f / %.2f | %.1f GiB | %s | %d |\n", r.Run, r.Mode, r.Preset, r.Precision, r.Size, st, r.Seconds, r.ComfySeconds, float64(r.PeakVRAMMB)/1024, r.Output, r.ModelLoads)
	}
	fmt.Fprintf(&b, "\n%d of %d runs passed.\n", pass, len(rs))
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
