package supervise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/proc"
)

// ServerInfo is what a health check learned about a ComfyUI server.
type ServerInfo struct {
	URL            string
	ComfyUIVersion string
	PythonVersion  string
	PyTorchVersion string
	Devices        []string
}

// CheckRemote validates an address the user typed ("http(s)://host:port")
// and asks the server for /api/system_stats. It is the health check of the
// "connect to an existing ComfyUI" backends, which are never supervised.
func CheckRemote(ctx context.Context, raw string) (ServerInfo, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if err == nil {
			raw = u.Redacted() // a proxy password never goes into a message or log
		} else if i := strings.LastIndex(raw, "@"); i >= 0 {
			raw = "…" + raw[i:]
		}
		return ServerInfo{}, fmt.Errorf("%q is not a server address; write it like http://192.168.1.20:8188", raw)
	}
	shown := u.Redacted()
	if u.Path != "" || u.RawQuery != "" {
		return ServerInfo{}, fmt.Errorf("%q has a path; give only http(s)://host:port", shown)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+"/api/system_stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ServerInfo{}, fmt.Errorf("no ComfyUI answered at %s (%v); check that it runs and that the address and port are right", shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ServerInfo{}, fmt.Errorf("%s answered %s to /api/system_stats; is it really ComfyUI?", shown, resp.Status)
	}
	var st struct {
		System struct {
			ComfyUIVersion string `json:"comfyui_version"`
			PythonVersion  string `json:"python_version"`
			PyTorchVersion string `json:"pytorch_version"`
		} `json:"system"`
		Devices []struct {
			Name string `json:"name"`
		} `json:"devices"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil || st.System.ComfyUIVersion == "" {
		return ServerInfo{}, fmt.Errorf("%s does not look like ComfyUI (its /api/system_stats has no comfyui_version)", shown)
	}
	info := ServerInfo{URL: u.String(), ComfyUIVersion: st.System.ComfyUIVersion, PythonVersion: st.System.PythonVersion, PyTorchVersion: st.System.PyTorchVersion}
	for _, d := range st.Devices {
		info.Devices = append(info.Devices, d.Name)
	}
	return info, nil
}

// FolderConfig fills Python, Script, ComfyDir and BaseDir for an existing
// ComfyUI folder the user points at (git checkout with a venv, or the
// Windows portable package with python_embeded beside it).
func FolderConfig(folder string) (Config, error) {
	folder = filepath.Clean(folder)
	if _, err := os.Stat(filepath.Join(folder, "main.py")); err != nil {
		// The portable package: the user may pick its outer folder.
		if _, err2 := os.Stat(filepath.Join(folder, "ComfyUI", "main.py")); err2 == nil {
			folder = filepath.Join(folder, "ComfyUI")
		} else {
			return Config{}, fmt.Errorf("%s has no main.py; choose the ComfyUI folder itself", folder)
		}
	}
	var candidates []string
	if runtime.GOOS == "windows" { // the portable build's own Python first
		candidates = append(candidates, filepath.Join(folder, "..", "python_embeded", "python.exe"))
	}
	candidates = append(candidates, proc.VenvPython(filepath.Join(folder, "venv")), proc.VenvPython(filepath.Join(folder, ".venv")))
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return Config{Python: p, Script: filepath.Join(folder, "main.py"), ComfyDir: folder, BaseDir: folder}, nil
		}
	}
	return Config{}, errors.New("no Python environment (venv, .venv or python_embeded) found beside " + folder +
		"; install ComfyUI's requirements there first, or let the app manage its own ComfyUI")
}
