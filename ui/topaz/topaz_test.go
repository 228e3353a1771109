package topaz

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestColours(t *testing.T) {
	th := Theme{}
	tests := []struct {
		name fyne.ThemeColorName
		want color.NRGBA
	}{
		{theme.ColorNameBackground, color.NRGBA{0x1A, 0x1F, 0x26, 0xFF}},
		{ColorNamePanel, color.NRGBA{0x12, 0x16, 0x1B, 0xFF}},
		{theme.ColorNameHeaderBackground, color.NRGBA{0x12, 0x16, 0x1B, 0xFF}},
		{theme.ColorNameInputBackground, color.NRGBA{0x26, 0x2C, 0x35, 0xFF}},
		{theme.ColorNameButton, color.NRGBA{0x26, 0x2C, 0x35, 0xFF}},
		{theme.ColorNamePrimary, color.NRGBA{0xE0, 0xA4, 0x58, 0xFF}},
		{theme.ColorNameFocus, color.NRGBA{0xE0, 0xA4, 0x58, 0xFF}},
		{ColorNameErrorBack, color.NRGBA{0x3A, 0x1E, 0x20, 0xFF}},
		{theme.ColorNameError, color.NRGBA{0xF4, 0xA6, 0xA8, 0xFF}},
		{theme.ColorNameForeground, Text},
	}
	for _, tt := range tests {
		t.Run(string(tt.name), func(t *testing.T) {
			for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
				if got := color.NRGBAModel.Convert(th.Color(tt.name, v)); got != tt.want {
					t.Errorf("variant %d: got %v, want %v", v, got, tt.want)
				}
			}
		})
	}
	// Selection is amber, translucent over the slate.
	if s := color.NRGBAModel.Convert(th.Color(theme.ColorNameSelection, theme.VariantDark)).(color.NRGBA); s.R != 0xE0 || s.G != 0xA4 || s.B != 0x58 {
		t.Errorf("selection %v is not amber", s)
	}
	// Amber is kept for primary/focus/selection: ordinary surfaces are not amber.
	for _, n := range []fyne.ThemeColorName{theme.ColorNameButton, theme.ColorNameHover, theme.ColorNameHyperlink, theme.ColorNameSeparator} {
		if c := color.NRGBAModel.Convert(th.Color(n, theme.VariantDark)).(color.NRGBA); c.R == Amber.R && c.G == Amber.G && c.B == Amber.B {
			t.Errorf("%s is amber", n)
		}
	}
}

func TestFonts(t *testing.T) {
	th := Theme{}
	tests := []struct {
		style fyne.TextStyle
		want  string
	}{
		{fyne.TextStyle{}, "IBMPlexSans-Regular.ttf"},
		{fyne.TextStyle{Bold: true}, "IBMPlexSans-Bold.ttf"},
		{fyne.TextStyle{Italic: true}, "IBMPlexSans-Italic.ttf"},
		{fyne.TextStyle{Bold: true, Italic: true}, "IBMPlexSans-BoldItalic.ttf"},
		{fyne.TextStyle{Monospace: true}, "IBMPlexMono-Regular.ttf"},
	}
	for _, tt := range tests {
		r := th.Font(tt.style)
		if r.Name() != tt.want {
			t.Errorf("%+v: got %s, want %s", tt.style, r.Name(), tt.want)
		}
		// TrueType, never WOFF2 (Fyne cannot load WOFF2).
		if c := r.Content(); len(c) < 100000 || string(c[:4]) != "\x00\x01\x00\x00" {
			t.Errorf("%s is not a TrueType font (%d bytes, magic %q)", tt.want, len(c), c[:4])
		}
	}
}

// The fonts load and measure: Plex is proportional, Plex Mono is not.
func TestFontsMeasure(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, Theme{})
	narrow := fyne.MeasureText("iiii", 14, fyne.TextStyle{})
	wide := fyne.MeasureText("MMMM", 14, fyne.TextStyle{})
	if narrow.Width <= 0 || narrow.Width >= wide.Width {
		t.Errorf("sans: iiii %v, MMMM %v", narrow, wide)
	}
	mn := fyne.MeasureText("iiii", 14, fyne.TextStyle{Monospace: true})
	mw := fyne.MeasureText("MMMM", 14, fyne.TextStyle{Monospace: true})
	if mn.Width != mw.Width {
		t.Errorf("mono: iiii %v, MMMM %v", mn, mw)
	}
}

func TestAppIcon(t *testing.T) {
	if c := AppIcon().Content(); string(c[1:4]) != "PNG" {
		t.Fatal("icon is not a PNG")
	}
}
