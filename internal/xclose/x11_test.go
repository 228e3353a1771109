package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func TestReadCookiePicksTheDisplay(t *testing.T) {
	var b bytes.Buffer
	entry := func(num, cookie string) {
		_ = binary.Write(&b, binary.BigEndian, uint16(256))
		for _, f := range []string{"host", num, "MIT-MAGIC-COOKIE-1", cookie} {
			_ = binary.Write(&b, binary.BigEndian, uint16(len(f)))
			b.WriteString(f)
		}
	}
	entry("0", "zero")
	entry("99", "ninety-nine")
	path := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	name, data := readCookie(path, "99")
	if name != "MIT-MAGIC-COOKIE-1" || string(data) != "ninety-nine" {
		t.Fatalf("cookie for :99 = %q %q", name, data)
	}
	if name, _ := readCookie(path, "7"); name != "" {
		t.Fatalf("a display without a cookie got %q", name)
	}
}

func TestClientMessageIsOneSendEvent(t *testing.T) {
	m := clientMessage(0x400001, 300, 301)
	if len(m) != 44 || m[0] != 25 || binary.LittleEndian.Uint16(m[2:]) != 11 {
		t.Fatalf("SendEvent request: % x", m)
	}
	ev := m[12:]
	if ev[0] != 33 || binary.LittleEndian.Uint32(ev[4:]) != 0x400001 || binary.LittleEndian.Uint32(ev[12:]) != 301 {
		t.Fatalf("ClientMessage: % x", ev)
	}
}
