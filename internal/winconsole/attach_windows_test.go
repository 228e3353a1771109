package winconsole

import (
	"os"
	"testing"

	"golang.org/x/sys/windows"
)

// Under `go test` the streams are pipes or a console: they must be left as
// they are, or a redirected `ltx-studio.exe help > out.txt` would lose its
// output to the console.
func TestAttachParentKeepsConnectedStreams(t *testing.T) {
	if !Usable(windows.STD_OUTPUT_HANDLE) || !Usable(windows.STD_ERROR_HANDLE) {
		t.Skip("this test process was started without standard streams")
	}
	out, errw := os.Stdout, os.Stderr
	if err := AttachParent(); err != nil {
		t.Fatalf("AttachParent with connected streams: %v", err)
	}
	if os.Stdout != out || os.Stderr != errw {
		t.Fatal("AttachParent replaced streams that were already connected")
	}
}

func TestAnInvalidHandleIsNotUsable(t *testing.T) {
	const noSuchStd = 0xFFFFFFF0 // not one of the three standard handles
	if Usable(noSuchStd) {
		t.Fatal("an unknown standard handle reported usable")
	}
}
