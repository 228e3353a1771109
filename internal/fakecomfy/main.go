// Command fakecomfy is the ComfyUI stand-in the tests start as a real child
// process. It takes ComfyUI's command line, prints startup lines shaped like
// ../shared/comfyui/server_log.txt (ANSI colours included), serves the HTTP
// API from package api, and exits with ComfyUI's statuses: 1 when the port
// is taken (a real bind failure), 2 for a bad flag, 255 when the frontend
// package is missing, 0 after Ctrl-C or --quick-test-for-ci.
//
// Behaviour switches (environment):
//
//	FAKECOMFY_START_DELAY=2s   keep logging a line every 100 ms for that long before listening
//	FAKECOMFY_SILENT_DELAY=2s  wait that long before listening without printing anything
//	FAKECOMFY_CRASH_AFTER=300ms exit 1 with a traceback that long after becoming ready
//	FAKECOMFY_CRASH_TIMES=N    with CRASH_AFTER: crash only in the first N runs (needs FAKECOMFY_STATE_DIR)
//	FAKECOMFY_STATE_DIR=dir    where run counts are kept across restarts
//	FAKECOMFY_FAIL=frontend|import|sage  exit at startup like a broken install (255, 1, 255)
//	FAKECOMFY_IGNORE_SIGINT=1  ignore Ctrl-C (the supervisor must kill)
//	FAKECOMFY_GRANDCHILD=1     start a child process that sleeps forever (tree-kill tests)
//	FAKECOMFY_OBJECT_INFO=path recorded object_info.json for api.Options.ObjectInfoPath
//	FAKECOMFY_ENV_FILE=path    write the names (never the values) of its environment variables there
//	FAKECOMFY_VRAM_MIB=0=81920/0,1=24576/20000  per --cuda-device: GPU size / MiB other processes hold,
//	                           so stand-ins started on different devices look like different GPUs
package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ltxstudio/ltx-studio/internal/fakecomfy/api"
)

const (
	info   = "\x1b[32m[INFO]\x1b[0m "
	warn   = "\x1b[1m\x1b[33m[WARNING]\x1b[0m "
	errorP = "\x1b[1m\x1b[31m[ERROR]\x1b[0m "
)

// valueFlags take an argument; boolFlags do not. Anything else is an
// argparse error (exit 2), as --normalvram is in the real 0.27.0.
var valueFlags = map[string]bool{
	"--listen": true, "--port": true, "--base-directory": true, "--user-directory": true,
	"--input-directory": true, "--output-directory": true, "--temp-directory": true,
	"--front-end-root": true, "--front-end-version": true, "--extra-model-paths-config": true,
	"--preview-method": true, "--reserve-vram": true, "--cuda-device": true, "--database-url": true,
	"--verbose": true, "--cache-ram": true, "--feature-flag": true,
}

var boolFlags = map[string]bool{
	"--disable-auto-launch": true, "--disable-api-nodes": true, "--log-stdout": true,
	"--quick-test-for-ci": true, "--lowvram": true, "--novram": true, "--highvram": true,
	"--gpu-only": true, "--cpu": true, "--disable-smart-memory": true, "--dont-print-server": true,
	"--disable-all-custom-nodes": true, "--use-sage-attention": true, "--disable-metadata": true,
	"--windows-standalone-build": true, "--disable-dynamic-vram": true,
}

var vramFlags = []string{"--gpu-only", "--highvram", "--lowvram", "--novram", "--cpu"}

func main() {
	if os.Getenv("FAKECOMFY_GRANDCHILD_SLEEPER") == "1" {
		time.Sleep(time.Hour)
		return
	}
	os.Exit(run(os.Args[1:]))
}

func usageError(msg string) int {
	fmt.Fprintln(os.Stderr, "usage: main.py [-h] [--listen [IP]] [--port PORT] ...")
	fmt.Fprintln(os.Stderr, "main.py: error: "+msg)
	return 2
}

func run(args []string) int {
	var argv = []string{"main.py"}
	vals := map[string]string{}
	bools := map[string]bool{}
	var unknown []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasSuffix(a, ".py") && !strings.HasPrefix(a, "-"):
			continue // the script name the supervisor passes to python
		case valueFlags[a]:
			if i+1 >= len(args) {
				return usageError("argument " + a + ": expected one argument")
			}
			vals[a] = args[i+1]
			argv = append(argv, a, args[i+1])
			i++
		case boolFlags[a]:
			bools[a] = true
			argv = append(argv, a)
		default:
			unknown = append(unknown, a)
		}
	}
	if len(unknown) > 0 {
		return usageError("unrecognized arguments: " + strings.Join(unknown, " "))
	}
	var modes []string
	for _, f := range vramFlags {
		if bools[f] {
			modes = append(modes, f)
		}
	}
	if len(modes) > 1 {
		return usageError(fmt.Sprintf("argument %s: not allowed with argument %s", modes[1], modes[0]))
	}
	for _, f := range []string{"--user-directory", "--front-end-root"} {
		if d, ok := vals[f]; ok {
			if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
				return usageError(fmt.Sprintf("argument %s: The path '%s' does not exist.", f, d))
			}
		}
	}
	out := os.Stderr
	if bools["--log-stdout"] {
		out = os.Stdout
	}
	logf := func(prefix, format string, a ...any) { fmt.Fprintf(out, prefix+format+"\n", a...) }
	errf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, errorP+format+"\n", a...) }

	base := vals["--base-directory"]
	if base == "" {
		base, _ = os.Getwd()
	}
	user := vals["--user-directory"]
	if user == "" {
		user = filepath.Join(base, "user")
	}
	if p := os.Getenv("FAKECOMFY_ENV_FILE"); p != "" {
		var names []string
		for _, kv := range os.Environ() {
			name, _, _ := strings.Cut(kv, "=")
			names = append(names, name)
		}
		_ = os.WriteFile(p, []byte(strings.Join(names, "\n")+"\n"), 0o644)
	}
	logf(warn, "WARNING: blake3 package not installed")
	logf(info, "Setting base directory to: %s", base)
	logf(info, "Setting user directory to: %s", user)
	if _, err := os.Stat(filepath.Join(base, "custom_nodes")); err != nil && !bools["--disable-all-custom-nodes"] {
		fmt.Fprintln(os.Stderr, "Traceback (most recent call last):")
		fmt.Fprintln(os.Stderr, `  File "main.py", line 140, in <module>`)
		fmt.Fprintf(os.Stderr, "FileNotFoundError: [Errno 2] No such file or directory: '%s'\n", filepath.Join(base, "custom_nodes"))
		return 1
	}
	logf(info, "Total VRAM 143156 MB, total RAM 128888 MB")
	logf(info, "pytorch version: 2.11.0+cu130")
	logf(info, "Set vram state to: %s", vramState(modes))
	logf(info, "Device: cuda:0 NVIDIA H200 : cudaMallocAsync")
	logf(info, "Python version: 3.12.3 (main, Aug 31 2026, 10:18:26) [GCC 13.3.0]")
	logf(info, "ComfyUI version: 0.27.0")

	switch os.Getenv("FAKECOMFY_FAIL") {
	case "import":
		fmt.Fprintln(os.Stderr, "Traceback (most recent call last):")
		fmt.Fprintln(os.Stderr, `  File "/opt/ComfyUI/main.py", line 55, in <module>`)
		fmt.Fprintln(os.Stderr, "    import comfy_aimdo.control")
		fmt.Fprintln(os.Stderr, "ModuleNotFoundError: No module named 'comfy_aimdo'")
		return 1
	case "frontend":
		if vals["--front-end-root"] == "" {
			errf("********** ERROR ***********\n\ncomfyui-frontend-package is not installed.\n\nPlease install the updated requirements.txt file by running:\npython -m pip install -r requirements.txt\n\n********** ERROR ***********")
			return 255
		}
	case "sage":
		if bools["--use-sage-attention"] {
			errf("To use the `--use-sage-attention` feature, the `sageattention` package must be installed first.")
			return 255
		}
	}
	web := vals["--front-end-root"]
	if web == "" {
		web = filepath.Join(base, "web")
	}
	logf(info, "[Prompt Server] web root: %s", web)

	if d := dur("FAKECOMFY_SILENT_DELAY"); d > 0 {
		time.Sleep(d)
	}
	if d := dur("FAKECOMFY_START_DELAY"); d > 0 {
		end := time.Now().Add(d)
		for i := 0; time.Now().Before(end); i++ {
			logf(info, "Loading custom node %d ...", i)
			time.Sleep(100 * time.Millisecond)
		}
	}
	logf(info, "")
	logf("", "Import times for custom nodes:")
	if entries, err := os.ReadDir(filepath.Join(base, "custom_nodes")); err == nil {
		for _, e := range entries {
			if e.IsDir() {
				logf(info, "   0.0 seconds: %s", filepath.Join(base, "custom_nodes", e.Name()))
			}
		}
	}
	logf(info, "")
	if bools["--quick-test-for-ci"] {
		return 0
	}
	temp := vals["--temp-directory"]
	if temp != "" {
		temp = filepath.Join(temp, "temp")
		os.RemoveAll(temp)
		os.MkdirAll(temp, 0o755)
	}

	host := vals["--listen"]
	if host == "" {
		host = "127.0.0.1"
	}
	port := vals["--port"]
	if port == "" {
		port = "8188"
	}
	logf(info, "Starting server\n")
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use") {
			errf("Port %s is already in use on address %s. Please close the other application or use a different port with --port.", port, host)
		} else {
			errf("%v", err)
		}
		return 1
	}
	if os.Getenv("FAKECOMFY_GRANDCHILD") == "1" {
		self, _ := os.Executable()
		c := exec.Command(self)
		c.Env = append(os.Environ(), "FAKECOMFY_GRANDCHILD_SLEEPER=1")
		if err := c.Start(); err != nil {
			errf("starting helper: %v", err)
		}
	}

	vramTotal, vramOther := deviceVRAM(os.Getenv("FAKECOMFY_VRAM_MIB"), vals["--cuda-device"])
	died := make(chan int, 1)
	srv := &http.Server{Handler: api.New(api.Options{
		Argv:           argv,
		OutputDir:      vals["--output-directory"],
		InputDir:       vals["--input-directory"],
		ObjectInfoPath: os.Getenv("FAKECOMFY_OBJECT_INFO"),
		VRAMTotal:      vramTotal,
		VRAMOther:      vramOther,
		Die: func() {
			fmt.Fprintln(os.Stderr, "Fatal Python error: Segmentation fault")
			died <- 139
		},
	})}
	go srv.Serve(ln)
	if !bools["--dont-print-server"] {
		logf(info, "To see the GUI go to: http://%s", net.JoinHostPort(host, port))
	}

	sig := make(chan os.Signal, 1)
	if os.Getenv("FAKECOMFY_IGNORE_SIGINT") == "1" {
		signal.Ignore(os.Interrupt)
	} else {
		signal.Notify(sig, os.Interrupt)
	}
	var crash <-chan time.Time
	if d := dur("FAKECOMFY_CRASH_AFTER"); d > 0 && shouldCrash() {
		crash = time.After(d)
	}
	select {
	case <-sig:
		logf(info, "")
		fmt.Fprintln(out, "Stopped server")
		if temp != "" {
			os.RemoveAll(temp)
		}
		return 0
	case <-crash:
		fmt.Fprintln(os.Stderr, "Traceback (most recent call last):")
		fmt.Fprintln(os.Stderr, `  File "/opt/ComfyUI/execution.py", line 512, in execute`)
		fmt.Fprintln(os.Stderr, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 GiB.")
		return 1
	case code := <-died:
		return code
	}
}

func vramState(modes []string) string {
	if len(modes) == 0 {
		return "NORMAL_VRAM"
	}
	switch modes[0] {
	case "--lowvram":
		return "LOW_VRAM"
	case "--novram":
		return "NO_VRAM"
	case "--highvram", "--gpu-only":
		return "HIGH_VRAM"
	}
	return "DISABLED"
}

func dur(env string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(env))
	return d
}

// shouldCrash counts runs in FAKECOMFY_STATE_DIR so a test can make only the
// first N runs crash and see the restart come up.
func shouldCrash() bool {
	n, err := strconv.Atoi(os.Getenv("FAKECOMFY_CRASH_TIMES"))
	dir := os.Getenv("FAKECOMFY_STATE_DIR")
	if err != nil || dir == "" {
		return true
	}
	p := filepath.Join(dir, "crash-count")
	b, _ := os.ReadFile(p)
	done, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if done >= n {
		return false
	}
	os.WriteFile(p, []byte(strconv.Itoa(done+1)), 0o644)
	return true
}

// deviceVRAM reads FAKECOMFY_VRAM_MIB ("0=81920/0,1=24576/20000") for one
// --cuda-device (none given reads device 0): total and other-process bytes.
func deviceVRAM(spec, device string) (total, other int64) {
	if device == "" {
		device = "0"
	}
	for _, part := range strings.Split(spec, ",") {
		dev, sizes, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || dev != device {
			continue
		}
		t, o, _ := strings.Cut(sizes, "/")
		tm, _ := strconv.ParseInt(t, 10, 64)
		om, _ := strconv.ParseInt(o, 10, 64)
		return tm << 20, om << 20
	}
	return 0, 0
}
