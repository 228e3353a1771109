package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// mainPy is the stand-in ComfyUI's main.py. It imports what the installer
// put into the venv (so a broken requirements step fails the self-test like
// it would for the real one) and then becomes the fakecomfy program with the
// same arguments: the supervisor's "python main.py --flags" path, process id
// included, runs the Go stand-in.
const mainPy = `"""Stand-in for ComfyUI's main.py in end-to-end runs (internal/e2e).

The venv must hold the requirements; then the Go stand-in takes over this
process with the same arguments.
"""
import os
import sys

import torch  # noqa: F401  installed by the PyTorch step (a fake wheel)
import torchvision  # noqa: F401
import torchaudio  # noqa: F401
import ltx_e2e_dep  # noqa: F401  installed from requirements.txt

FAKECOMFY = %q
sys.stdout.flush()
sys.stderr.flush()
os.execv(FAKECOMFY, [FAKECOMFY] + sys.argv[1:])
`

// requirementsTxt names the packages of the requirements step: torch again
// (already there, as in the real file) and one tiny package only it installs.
const requirementsTxt = "torch\ntorchvision\ntorchaudio\nltx-e2e-dep\n"

const readme = `# ComfyUI stand-in

Made by internal/e2e for end-to-end runs of LTX 2.3 Studio: main.py execs
the fakecomfy program. Not ComfyUI.
`

// makeComfyRepo creates the bare repository at bare with one commit and
// returns its HEAD. Author, committer and dates are fixed, so the same
// content (the same fakecomfy path) gives the same commit across runs and an
// install made earlier stays current.
func makeComfyRepo(ctx context.Context, bare, fakecomfy string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", fmt.Errorf("e2e: git is needed for the stand-in ComfyUI repository: %w", err)
	}
	src := bare[:len(bare)-len(filepath.Ext(bare))] + "-src"
	files := map[string]string{
		"main.py":            fmt.Sprintf(mainPy, fakecomfy),
		"requirements.txt":   requirementsTxt,
		"README.md":          readme,
		"custom_nodes/.keep": "",
		"models/.keep":       "",
	}
	for _, n := range sortedKeys(files) {
		p := filepath.Join(src, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(files[n]), 0o644); err != nil {
			return "", err
		}
	}
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=ltx-e2e", "GIT_AUTHOR_EMAIL=e2e@ltx-studio.invalid", "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z",
			"GIT_COMMITTER_NAME=ltx-e2e", "GIT_COMMITTER_EMAIL=e2e@ltx-studio.invalid", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("e2e: git %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out)), nil
	}
	steps := [][]string{
		{"init", "-q", "--bare", "-b", "master", bare},
		{"--git-dir", bare, "--work-tree", src, "add", "-A"},
		{"--git-dir", bare, "--work-tree", src, "commit", "-q", "-m", "ComfyUI stand-in for end-to-end runs"},
	}
	for _, s := range steps {
		if _, err := git(s...); err != nil {
			return "", err
		}
	}
	return git("--git-dir", bare, "rev-parse", "HEAD")
}
