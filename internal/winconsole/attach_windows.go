package winconsole

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

var attachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentProcess is ATTACH_PARENT_PROCESS ((DWORD)-1).
const attachParentProcess = ^uintptr(0)

// AttachParent points stdin, stdout and stderr at the console of the process
// that started this one, for each of them that Windows left unconnected. A
// redirected stream (a file, a pipe) is kept as it is. Without a parent
// console (started from Explorer) it returns an error and changes nothing.
func AttachParent() error {
	if Usable(windows.STD_OUTPUT_HANDLE) && Usable(windows.STD_ERROR_HANDLE) {
		return nil
	}
	if r, _, err := attachConsole.Call(attachParentProcess); r == 0 {
		return fmt.Errorf("no parent console to print to: %w", err)
	}
	for _, s := range []struct {
		std  uint32
		name string
		flag int
		file **os.File
	}{
		{windows.STD_INPUT_HANDLE, "CONIN$", os.O_RDWR, &os.Stdin},
		{windows.STD_OUTPUT_HANDLE, "CONOUT$", os.O_RDWR, &os.Stdout},
		{windows.STD_ERROR_HANDLE, "CONOUT$", os.O_RDWR, &os.Stderr},
	} {
		if Usable(s.std) {
			continue
		}
		f, err := os.OpenFile(s.name, s.flag, 0)
		if err != nil {
			return fmt.Errorf("opening the console (%s): %w", s.name, err)
		}
		*s.file = f
		_ = windows.SetStdHandle(s.std, windows.Handle(f.Fd()))
	}
	return nil
}

// Usable reports whether a standard handle leads somewhere (console, file or
// pipe). A GUI program started from a console gets none.
func Usable(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}
