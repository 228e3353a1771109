// Command xclose asks an X11 window to close the way a window manager's
// close button does (a WM_DELETE_WINDOW client message), for the Xvfb
// click-through, which has no window manager. xdotool's windowclose
// destroys the window instead, which no app sees as "close".
//
//	xclose WINDOW-ID      (decimal, as xdotool prints it)
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: xclose WINDOW-ID")
		os.Exit(2)
	}
	id, err := strconv.ParseUint(os.Args[1], 0, 32)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xclose: bad window id:", err)
		os.Exit(2)
	}
	if err := closeWindow(os.Getenv("DISPLAY"), os.Getenv("XAUTHORITY"), uint32(id)); err != nil {
		fmt.Fprintln(os.Stderr, "xclose:", err)
		os.Exit(1)
	}
}
