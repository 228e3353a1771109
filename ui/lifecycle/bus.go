package lifecycle

import (
	"os"
	"path/filepath"
	"runtime"
)

// AvoidBusAutolaunch stops the D-Bus library Fyne uses from starting a
// session bus of its own (dbus-launch) when the desktop has none, e.g. over
// ssh -X or under Xvfb: that daemon outlives the app, one per start. Fyne
// only asks the bus for the light/dark preference, which our fixed theme
// ignores, so going without is harmless.
func AvoidBusAutolaunch(getenv func(string) string, setenv func(string, string) error) {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" && runtime.GOOS != "openbsd" && runtime.GOOS != "netbsd" {
		return
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if rd := getenv("XDG_RUNTIME_DIR"); rd != "" {
		if _, err := os.Stat(filepath.Join(rd, "bus")); err == nil {
			return // the library finds this one itself
		}
	}
	// An address that cannot connect: the library reports an error instead
	// of launching a daemon.
	_ = setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
}
