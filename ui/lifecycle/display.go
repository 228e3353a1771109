package lifecycle

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// NoDisplay says why no window can open here, or "" when one can. GLFW
// panics with a C trace when it finds no X server; this check runs first so
// a person gets a sentence instead.
func NoDisplay(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows", "darwin":
		return ""
	}
	d := getenv("DISPLAY")
	if d == "" {
		return "no display (DISPLAY is not set)"
	}
	if !reachable(d) {
		return "no display (cannot reach the X server at DISPLAY=" + d + ")"
	}
	return ""
}

// reachable dials the X server named by an X11 display string such as ":0",
// "unix:1.0" or "host:10.0", the way Xlib would.
func reachable(display string) bool {
	host, rest, ok := strings.Cut(display, ":")
	if !ok {
		return true // not a form we know: let GLFW decide
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return true
	}
	if strings.HasPrefix(host, "/") { // a launchd-style socket path
		_, err := os.Stat(display)
		return err == nil
	}
	if host == "" || host == "unix" {
		sock := filepath.Join("/tmp/.X11-unix", "X"+num)
		if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
			c.Close()
			return true
		}
		if host == "unix" {
			return false
		}
		// Xlib also tries the abstract socket, then TCP on localhost.
		if c, err := net.DialTimeout("unix", "@"+sock, time.Second); err == nil {
			c.Close()
			return true
		}
		host = "localhost"
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
