//go:build !windows

package appdirs

import "github.com/adrg/xdg"

func platformDefault() Dirs {
	return XDGLayout(xdg.ConfigHome, xdg.DataHome, xdg.CacheHome, xdg.StateHome, videosDir())
}
