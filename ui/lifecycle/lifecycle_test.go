package lifecycle

import (
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestNoDisplayWhenDisplayIsUnset(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("no X display on this system")
	}
	env := map[string]string{}
	if why := NoDisplay(func(k string) string { return env[k] }); !strings.Contains(why, "DISPLAY is not set") {
		t.Fatalf("unset DISPLAY: %q", why)
	}
}

func TestNoDisplayWhenTheServerIsGone(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("no X display on this system")
	}
	// A TCP display on a port nothing listens on: take a free port, close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if port < 6000 {
		t.Skip("the free port is below X's range")
	}
	d := "127.0.0.1:" + itoa(port-6000)
	if why := NoDisplay(func(string) string { return d }); !strings.Contains(why, "cannot reach") {
		t.Fatalf("dead display %s: %q", d, why)
	}
}

func TestDisplayThatAnswers(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	if port < 6000 {
		t.Skip("the free port is below X's range")
	}
	if !reachable("127.0.0.1:" + itoa(port-6000) + ".0") {
		t.Fatal("a listening X port was not reachable")
	}
}

func itoa(n int) string {
	b := []byte{}
	for n > 9 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

func TestVersionFromFyneAppToml(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseAppMetadata(data)
	if err != nil {
		t.Fatal(err)
	}
	got := VersionText(m, "abc123")
	if !strings.HasPrefix(got, "LTX 2.3 Studio "+m.Details.Version+" (build ") || !strings.Contains(got, "ComfyUI abc123") {
		t.Fatalf("version text %q", got)
	}
	if _, err := ParseAppMetadata([]byte("[Details]\nName = \"x\"\n")); err == nil {
		t.Fatal("a toml without a version was accepted")
	}
}

func TestPrepareFyneDirsOnAFreshHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	if err := PrepareFyneDirs(); err != nil {
		t.Fatal(err)
	}
	base, _ := os.UserCacheDir()
	if fi, err := os.Stat(filepath.Join(base, "fyne")); err != nil || !fi.IsDir() {
		t.Fatalf("no fyne cache folder under %s: %v", base, err)
	}
}

func TestNoBusMeansNoAutolaunch(t *testing.T) {
	set := map[string]string{}
	setenv := func(k, v string) error { set[k] = v; return nil }
	AvoidBusAutolaunch(func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": t.TempDir()}[k] }, setenv)
	if runtime.GOOS == "linux" && set["DBUS_SESSION_BUS_ADDRESS"] == "" {
		t.Fatal("no session bus, yet autolaunch was left on")
	}
	set = map[string]string{}
	AvoidBusAutolaunch(func(k string) string {
		return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1/bus"}[k]
	}, setenv)
	if len(set) != 0 {
		t.Fatalf("a desktop's own bus was overridden: %v", set)
	}
}
