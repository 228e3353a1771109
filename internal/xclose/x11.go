package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// closeWindow connects to display, and sends window a WM_DELETE_WINDOW.
func closeWindow(display, xauthority string, window uint32) error {
	host, num, err := parseDisplay(display)
	if err != nil {
		return err
	}
	var c net.Conn
	if host == "" || host == "unix" {
		c, err = net.DialTimeout("unix", filepath.Join("/tmp/.X11-unix", "X"+num), 5*time.Second)
	} else {
		n, _ := strconv.Atoi(num)
		c, err = net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), 5*time.Second)
	}
	if err != nil {
		return fmt.Errorf("connecting to display %s: %w", display, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	name, cookie := readCookie(xauthority, num)
	if err := handshake(c, name, cookie); err != nil {
		return err
	}
	protocols, err := internAtom(c, "WM_PROTOCOLS")
	if err != nil {
		return err
	}
	del, err := internAtom(c, "WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	if _, err := c.Write(clientMessage(window, protocols, del)); err != nil {
		return fmt.Errorf("sending the close request: %w", err)
	}
	// A round trip makes sure the server handled the SendEvent.
	_, err = internAtom(c, "WM_PROTOCOLS")
	return err
}

func parseDisplay(d string) (host, num string, err error) {
	host, rest, ok := strings.Cut(d, ":")
	if !ok || rest == "" {
		return "", "", fmt.Errorf("DISPLAY %q is not host:number", d)
	}
	num, _, _ = strings.Cut(rest, ".")
	return host, num, nil
}

func pad(n int) int { return (4 - n%4) % 4 }

// readCookie finds the display's MIT-MAGIC-COOKIE-1 in an Xauthority file
// (xvfb-run makes one); none means connect without authorisation.
func readCookie(path, num string) (name string, data []byte) {
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".Xauthority")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil
	}
	r := bytes.NewReader(b)
	field := func() ([]byte, error) {
		var n uint16
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return nil, err
		}
		f := make([]byte, n)
		_, err := io.ReadFull(r, f)
		return f, err
	}
	for {
		var family uint16
		if binary.Read(r, binary.BigEndian, &family) != nil {
			return "", nil
		}
		var fs [4][]byte
		for i := range fs {
			if fs[i], err = field(); err != nil {
				return "", nil
			}
		}
		if string(fs[1]) == num && string(fs[2]) == "MIT-MAGIC-COOKIE-1" {
			return string(fs[2]), fs[3]
		}
	}
}

func handshake(c net.Conn, authName string, authData []byte) error {
	var b bytes.Buffer
	b.Write([]byte{'l', 0})
	le := binary.LittleEndian
	_ = binary.Write(&b, le, uint16(11)) // protocol 11.0
	_ = binary.Write(&b, le, uint16(0))
	_ = binary.Write(&b, le, uint16(len(authName)))
	_ = binary.Write(&b, le, uint16(len(authData)))
	b.Write([]byte{0, 0})
	b.WriteString(authName)
	b.Write(make([]byte, pad(len(authName))))
	b.Write(authData)
	b.Write(make([]byte, pad(len(authData))))
	if _, err := c.Write(b.Bytes()); err != nil {
		return fmt.Errorf("X11 handshake: %w", err)
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(c, head); err != nil {
		return fmt.Errorf("X11 handshake reply: %w", err)
	}
	rest := make([]byte, int(le.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(c, rest); err != nil {
		return fmt.Errorf("X11 handshake reply: %w", err)
	}
	if head[0] != 1 {
		return errors.New("the X server refused the connection: " + strings.TrimRight(string(rest), "\x00"))
	}
	return nil
}

func internAtom(c net.Conn, name string) (uint32, error) {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.Write([]byte{16, 0}) // InternAtom, only-if-exists false
	_ = binary.Write(&b, le, uint16(2+(len(name)+pad(len(name)))/4))
	_ = binary.Write(&b, le, uint16(len(name)))
	b.Write([]byte{0, 0})
	b.WriteString(name)
	b.Write(make([]byte, pad(len(name))))
	if _, err := c.Write(b.Bytes()); err != nil {
		return 0, fmt.Errorf("asking for atom %s: %w", name, err)
	}
	for {
		reply := make([]byte, 32)
		if _, err := io.ReadFull(c, reply); err != nil {
			return 0, fmt.Errorf("reading atom %s: %w", name, err)
		}
		switch reply[0] {
		case 1:
			return le.Uint32(reply[8:]), nil
		case 0:
			return 0, fmt.Errorf("X11 error %d asking for atom %s", reply[1], name)
		}
		// an event: skip it
	}
}

// clientMessage is a SendEvent request carrying WM_PROTOCOLS/WM_DELETE_WINDOW.
func clientMessage(window, protocols, del uint32) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.Write([]byte{25, 0}) // SendEvent, propagate false
	_ = binary.Write(&b, le, uint16(11))
	_ = binary.Write(&b, le, window)
	_ = binary.Write(&b, le, uint32(0)) // no mask: to the window's owner
	ev := make([]byte, 32)
	ev[0] = 33 // ClientMessage
	ev[1] = 32 // format: 32-bit items
	le.PutUint32(ev[4:], window)
	le.PutUint32(ev[8:], protocols)
	le.PutUint32(ev[12:], del)
	b.Write(ev) // data[1] = CurrentTime (0)
	return b.Bytes()
}
