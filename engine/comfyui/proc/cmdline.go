package proc

import (
	"path/filepath"
	"runtime"
)

// Folders are the places a ComfyUI we start reads and writes; every start
// names them all, so nothing lands in the ComfyUI code folder.
type Folders struct {
	Base, User, Input, Output, Temp string
}

// Args are ComfyUI's folder flags.
func (f Folders) Args() []string {
	return []string{
		"--base-directory", f.Base,
		"--user-directory", f.User,
		"--input-directory", f.Input,
		"--output-directory", f.Output,
		"--temp-directory", f.Temp,
	}
}

// HeadlessArgs are the flags of every ComfyUI the app starts (the server and
// the install's self-test): no browser, no paid API nodes, logs on stdout
// where the app reads them.
func HeadlessArgs() []string {
	return []string{"--disable-auto-launch", "--disable-api-nodes", "--log-stdout"}
}

// PythonEnv is what every Python child gets on top of the app's
// environment: unbuffered UTF-8 output, so its log lines arrive whole and
// readable as they are written.
func PythonEnv() []string { return []string{"PYTHONUNBUFFERED=1", "PYTHONIOENCODING=utf-8"} }

// VenvPython is the interpreter of the virtual environment at venv.
func VenvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}
