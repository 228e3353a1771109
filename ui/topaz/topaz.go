// Package topaz is the app's one look, "Topaz Cinema Slate": a dark slate
// theme with amber kept for the few things that must draw the eye (the primary
// button, focus, selection, progress) and IBM Plex type. It is always dark,
// whatever the desktop asks for.
package topaz

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/ltxstudio/ltx-studio/assets"
)

// The palette. Widgets outside this package use these through the theme's
// colour names where Fyne has one, and directly for custom drawing.
var (
	Slate     = color.NRGBA{0x1A, 0x1F, 0x26, 0xFF} // window background
	Panel     = color.NRGBA{0x12, 0x16, 0x1B, 0xFF} // deeper panels: sidebar, header, output
	Raised    = color.NRGBA{0x26, 0x2C, 0x35, 0xFF} // inputs, cards, buttons
	Line      = color.NRGBA{0x3A, 0x43, 0x50, 0xFF} // borders, separators
	Amber     = color.NRGBA{0xE0, 0xA4, 0x58, 0xFF} // primary, focus, selection, progress only
	ErrorBack = color.NRGBA{0x3A, 0x1E, 0x20, 0xFF} // behind an error message
	ErrorText = color.NRGBA{0xF4, 0xA6, 0xA8, 0xFF} // error text and error borders
	Text      = color.NRGBA{0xE8, 0xEA, 0xED, 0xFF} // near-white body text
	TextDim   = color.NRGBA{0x95, 0x9E, 0xAA, 0xFF} // hints, placeholders, read-outs
	Disabled  = color.NRGBA{0x5C, 0x65, 0x71, 0xFF} // text of disabled controls
)

// Colour names this theme adds for custom widgets.
const (
	ColorNamePanel     fyne.ThemeColorName = "topazPanel"
	ColorNameRaised    fyne.ThemeColorName = "topazRaised"
	ColorNameErrorBack fyne.ThemeColorName = "topazErrorBackground"
	ColorNameTextDim   fyne.ThemeColorName = "topazTextDim"
)

// Theme implements fyne.Theme. The zero value is ready to use.
type Theme struct{}

var _ fyne.Theme = Theme{}

// The fonts are wrapped once per process; fyne.StaticResource is immutable.
var (
	fontRegular    = fyne.NewStaticResource("IBMPlexSans-Regular.ttf", assets.Read(assets.SansRegular))
	fontBold       = fyne.NewStaticResource("IBMPlexSans-Bold.ttf", assets.Read(assets.SansBold))
	fontItalic     = fyne.NewStaticResource("IBMPlexSans-Italic.ttf", assets.Read(assets.SansItalic))
	fontBoldItalic = fyne.NewStaticResource("IBMPlexSans-BoldItalic.ttf", assets.Read(assets.SansBoldItalic))
	fontMono       = fyne.NewStaticResource("IBMPlexMono-Regular.ttf", assets.Read(assets.MonoRegular))
	appIcon        = fyne.NewStaticResource("Icon.png", assets.Read(assets.Icon))
)

// AppIcon is the window and launcher icon.
func AppIcon() fyne.Resource { return appIcon }

// Color maps Fyne's colour names onto the palette; the variant is ignored
// because the app is always dark.
func (Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := palette[n]; ok {
		return c
	}
	return theme.DefaultTheme().Color(n, theme.VariantDark)
}

var palette = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          Slate,
	theme.ColorNameOverlayBackground:   Panel,
	theme.ColorNameMenuBackground:      Panel,
	theme.ColorNameHeaderBackground:    Panel,
	theme.ColorNameButton:              Raised,
	theme.ColorNameInputBackground:     Raised,
	theme.ColorNameDisabledButton:      color.NRGBA{0x21, 0x26, 0x2E, 0xFF},
	theme.ColorNameInputBorder:         Line,
	theme.ColorNameSeparator:           Line,
	theme.ColorNamePrimary:             Amber,
	theme.ColorNameFocus:               Amber,
	theme.ColorNameSelection:           color.NRGBA{0xE0, 0xA4, 0x58, 0x50},
	theme.ColorNameForegroundOnPrimary: Slate,
	theme.ColorNameForeground:          Text,
	theme.ColorNamePlaceHolder:         TextDim,
	theme.ColorNameDisabled:            Disabled,
	theme.ColorNameError:               ErrorText,
	theme.ColorNameForegroundOnError:   ErrorBack,
	theme.ColorNameHyperlink:           color.NRGBA{0xA8, 0xC4, 0xE0, 0xFF},
	theme.ColorNameSuccess:             color.NRGBA{0x8F, 0xCB, 0x9B, 0xFF},
	theme.ColorNameWarning:             color.NRGBA{0xE8, 0xD0, 0x7A, 0xFF},
	theme.ColorNameHover:               color.NRGBA{0xFF, 0xFF, 0xFF, 0x12},
	theme.ColorNamePressed:             color.NRGBA{0xFF, 0xFF, 0xFF, 0x22},
	theme.ColorNameScrollBar:           color.NRGBA{0xFF, 0xFF, 0xFF, 0x40},
	theme.ColorNameShadow:              color.NRGBA{0x00, 0x00, 0x00, 0x66},
	ColorNamePanel:                     Panel,
	ColorNameRaised:                    Raised,
	ColorNameErrorBack:                 ErrorBack,
	ColorNameTextDim:                   TextDim,
}

// Font returns IBM Plex for every style but symbols, which Plex lacks.
func (Theme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Symbol:
		return theme.DefaultTheme().Font(s)
	case s.Monospace:
		return fontMono
	case s.Bold && s.Italic:
		return fontBoldItalic
	case s.Bold:
		return fontBold
	case s.Italic:
		return fontItalic
	}
	return fontRegular
}

// Icon keeps Fyne's icon set; they are recoloured by the foreground colour.
func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Size sets a slightly tighter, rounder look than the default.
func (Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 14
	case theme.SizeNameInputRadius:
		return 6
	case theme.SizeNameSelectionRadius:
		return 4
	case theme.SizeNameInputBorder:
		return 1
	}
	return theme.DefaultTheme().Size(n)
}
