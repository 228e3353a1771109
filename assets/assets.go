// Package assets holds the files the app embeds: the IBM Plex fonts (SIL Open
// Font License 1.1, text in fonts/OFL.txt) and the app icon. It has no Fyne
// dependency; ui wraps the bytes as Fyne resources.
package assets

//go:generate go run ./mkicon -o Icon.png

import (
	"embed"
	"fmt"
)

//go:embed fonts/*.ttf fonts/OFL.txt Icon.png
var files embed.FS

// Embedded file names, for Read.
const (
	SansRegular    = "fonts/IBMPlexSans-Regular.ttf"
	SansBold       = "fonts/IBMPlexSans-Bold.ttf"
	SansItalic     = "fonts/IBMPlexSans-Italic.ttf"
	SansBoldItalic = "fonts/IBMPlexSans-BoldItalic.ttf"
	MonoRegular    = "fonts/IBMPlexMono-Regular.ttf"
	FontLicense    = "fonts/OFL.txt"
	Icon           = "Icon.png"
)

// Read returns an embedded file. The names are the constants above, so a
// failure is a build mistake and panics rather than returning an error every
// caller would have to handle.
func Read(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("assets: %s is not embedded: %v", name, err))
	}
	return b
}
