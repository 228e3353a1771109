// Command standins starts the stand-in world for an end-to-end run of the
// real app (package e2e): it builds fakecomfy, a local "ComfyUI" git repo
// and a wheelhouse under -dir, starts a local Hugging Face hub, writes
// DIR/env.sh and prints READY. It serves until interrupted.
//
//	go run ./internal/e2e/standins -dir /tmp/ltx-e2e &
//	# wait for READY, then:
//	. /tmp/ltx-e2e/env.sh && go run -tags e2e .
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/ltxstudio/ltx-studio/engine/studio"
	"github.com/ltxstudio/ltx-studio/internal/e2e"
	"github.com/ltxstudio/ltx-studio/workflows"
)

func main() {
	dir := flag.String("dir", "", "folder for the stand-ins, the app's data (home/) and the model cache (hf/); created if missing")
	objectInfo := flag.String("object-info", "", "recorded object_info.json for the fake server (default: shared/comfyui/object_info.json found upwards)")
	fakecomfy := flag.String("fakecomfy", "", "prebuilt fakecomfy binary (default: go build ./internal/fakecomfy)")
	clean := flag.Bool("clean", false, "remove the app's data (home/) and the model cache (hf/) first, for a first-run test")
	existing := flag.Bool("existing-comfyui", false, "also build DIR/"+e2e.ExistingDir+", a ComfyUI the user already had, holding two files the default setup choice (t2v + i2v, fp8) needs; every hub request is logged to DIR/"+requestLog)
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "standins: -dir is required")
		flag.Usage()
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	o := e2e.Options{ObjectInfo: *objectInfo, FakeComfy: *fakecomfy, Logger: log}
	if *existing {
		refs, err := studio.RefsFor([]workflows.ModeID{workflows.T2V, workflows.I2V}, workflows.FP8)
		if err != nil || len(refs) < 2 {
			fmt.Fprintln(os.Stderr, "standins: the default setup choice names no files:", err)
			os.Exit(1)
		}
		o.Existing, o.RequestLog = refs[:2], filepath.Join(*dir, requestLog)
	}
	if err := run(*dir, o, *clean, log); err != nil {
		fmt.Fprintln(os.Stderr, "standins:", err)
		os.Exit(1)
	}
}

// requestLog is the hub's request log under -dir (with -existing-comfyui).
const requestLog = "hub-requests.log"

func run(dir string, o e2e.Options, clean bool, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if clean {
		for _, d := range []string{"home", "hf", requestLog} {
			if err := os.RemoveAll(filepath.Join(dir, d)); err != nil {
				return err
			}
		}
	}
	o.Dir = dir
	w, err := e2e.Setup(ctx, o)
	if err != nil {
		return err
	}
	defer w.Close()
	envFile := filepath.Join(w.Dir, "env.sh")
	if err := w.WriteEnvFile(envFile); err != nil {
		return err
	}
	if w.ObjectInfo == "" {
		log.Warn("no recorded object_info.json found; the fake server checks only output nodes (pass -object-info)")
	}
	files := 0
	for _, r := range w.Repos {
		files += len(r.Files)
	}
	log.Info("stand-ins up", "env", envFile, "hub", w.Hub.URL(), "comfyui", w.ComfyURL, "commit", w.Commit, "model files", files)
	fmt.Println("READY")
	<-ctx.Done()
	log.Info("stopping stand-ins")
	return nil
}
