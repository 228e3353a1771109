package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/ltxstudio/ltx-studio/engine/comfyui/install"
)

func TestVersionPrintsTheAppAndComfyUIVersions(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		var out, errb bytes.Buffer
		if code := run([]string{arg}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d, %s", arg, code, errb.String())
		}
		if !strings.HasPrefix(out.String(), "LTX 2.3 Studio 0.") || !strings.Contains(out.String(), install.ComfyUICommit) {
			t.Fatalf("%s printed %q", arg, out.String())
		}
	}
}

func TestUnknownCommandIsUsageNotTheWindow(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command: exit %d", code)
	}
	if !strings.Contains(errb.String(), "unknown command") || !strings.Contains(errb.String(), "usage:") {
		t.Fatalf("unknown command printed %q", errb.String())
	}
}

func TestNoDisplaySaysSoAndListsTheTerminalCommands(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("windows and macOS always have a display")
	}
	t.Setenv("DISPLAY", "")
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 1 {
		t.Fatalf("no display: exit %d", code)
	}
	msg := errb.String()
	if !strings.Contains(msg, "no display") || !strings.Contains(msg, "generate") || strings.Contains(msg, "panic") {
		t.Fatalf("no display printed %q", msg)
	}
}
