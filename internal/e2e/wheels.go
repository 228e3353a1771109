package e2e

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// wheel is one pure-Python package of the wheelhouse.
type wheel struct {
	name, version string
	files         map[string]string // path in the wheel → content
}

// fakeTorch answers what the installer and main.py ask of PyTorch: a
// version with the CPU build's local tag, and no CUDA, so the CPU path of
// the installer (no NVIDIA driver) passes its self-test.
var fakeTorch = map[string]string{
	"torch/__init__.py": `"""Stand-in for PyTorch in end-to-end runs of LTX 2.3 Studio: no tensors."""
from . import cuda, version  # noqa: F401

__version__ = "2.11.0+cpu"
`,
	"torch/version.py": "__version__ = \"2.11.0+cpu\"\ncuda = None\n",
	"torch/cuda/__init__.py": `def is_available():
    return False


def device_count():
    return 0
`,
}

var wheels = []wheel{
	{"torch", "2.11.0+cpu", fakeTorch},
	{"torchvision", "0.26.0+cpu", map[string]string{"torchvision/__init__.py": "__version__ = \"0.26.0+cpu\"\n"}},
	{"torchaudio", "2.11.0+cpu", map[string]string{"torchaudio/__init__.py": "__version__ = \"2.11.0+cpu\"\n"}},
	{"ltx-e2e-dep", "1.0", map[string]string{"ltx_e2e_dep/__init__.py": "VALUE = 42\n"}},
}

var nonName = regexp.MustCompile(`[-_.]+`)

// normalize is the PEP 503 project name.
func normalize(n string) string { return strings.ToLower(nonName.ReplaceAllString(n, "-")) }

// padded adds n incompressible bytes to w (a heavy "torch" for the
// benchmarks), the same bytes every time.
func padded(w wheel, n int) wheel {
	files := map[string]string{}
	for k, v := range w.files {
		files[k] = v
	}
	var b []byte
	for i := uint64(0); len(b) < n; i++ {
		s := sha256.Sum256([]byte(fmt.Sprint("ltx-e2e torch weights ", i)))
		b = append(b, s[:]...)
	}
	files["torch/_stand_in_weights.bin"] = string(b[:n])
	w.files = files
	return w
}

// writeWheels writes every wheel into dir and a PEP 503 simple index over
// them into index (so an --index-url works as well as --find-links).
func writeWheels(dir, index string, torchPad int) error {
	for _, w := range wheels {
		if w.name == "torch" && torchPad > 0 {
			w = padded(w, torchPad)
		}
		file, data, err := w.build()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			return fmt.Errorf("e2e: writing wheel: %w", err)
		}
	}
	return writeIndex(dir, index, fileURL(dir)+"/")
}

// writeIndex writes a PEP 503 simple index over the wheels in dir into
// index, each link being prefix + the wheel's file name.
func writeIndex(dir, index, prefix string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var projects []string
	for _, e := range ents {
		file := e.Name()
		if !strings.HasSuffix(file, ".whl") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		p := normalize(strings.SplitN(file, "-", 2)[0])
		projects = append(projects, p)
		page := fmt.Sprintf("<!DOCTYPE html>\n<html><body>\n<a href=\"%s#sha256=%s\">%s</a>\n</body></html>\n",
			html.EscapeString(prefix+url.PathEscape(file)), hex.EncodeToString(sum[:]), html.EscapeString(file))
		if err := os.MkdirAll(filepath.Join(index, p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(index, p, "index.html"), []byte(page), 0o644); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><body>\n")
	for _, p := range projects {
		fmt.Fprintf(&b, "<a href=\"%s/\">%s</a>\n", p, p)
	}
	b.WriteString("</body></html>\n")
	return os.WriteFile(filepath.Join(index, "index.html"), []byte(b.String()), 0o644)
}

// build makes the wheel file (PEP 427): the package files, METADATA, WHEEL
// and RECORD with the hashes pip checks. Entries carry a fixed time so the
// same wheel has the same bytes.
func (w wheel) build() (string, []byte, error) {
	dist := strings.ReplaceAll(normalize(w.name), "-", "_")
	info := dist + "-" + w.version + ".dist-info"
	files := map[string]string{}
	for k, v := range w.files {
		files[k] = v
	}
	files[info+"/METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: stand-in package for end-to-end runs of LTX 2.3 Studio\n", w.name, w.version)
	files[info+"/WHEEL"] = "Wheel-Version: 1.0\nGenerator: ltx-studio-e2e\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	names := sortedKeys(files)
	var record strings.Builder
	for _, n := range names {
		sum := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", info)
	files[info+"/RECORD"] = record.String()
	names = append(names, info+"/RECORD")

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return "", nil, err
		}
		if _, err := fw.Write([]byte(files[n])); err != nil {
			return "", nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("%s-%s-py3-none-any.whl", dist, w.version), buf.Bytes(), nil
}
