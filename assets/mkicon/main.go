// Command mkicon draws the app icon (amber play mark on a slate tile) as a
// PNG. It is run once by `go generate ./assets` and the result is committed,
// so the icon can change by editing code rather than a binary.
package main

import (
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	slate = color.NRGBA{0x1A, 0x1F, 0x26, 0xFF}
	panel = color.NRGBA{0x26, 0x2C, 0x35, 0xFF}
	amber = color.NRGBA{0xE0, 0xA4, 0x58, 0xFF}
)

const (
	size = 512
	ss   = 4 // supersamples per axis, for smooth edges
)

func main() {
	out := flag.String("o", "Icon.png", "output PNG")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, draw()); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// shade returns the colour of the point (x, y) in a 0..1 square (transparent outside the tile).
func shade(x, y float64) color.NRGBA {
	if !inRoundedRect(x, y, 0.02, 0.98, 0.19) {
		return color.NRGBA{}
	}
	cx, cy := x-0.5, y-0.5
	r := math.Hypot(cx, cy)
	switch {
	case r > 0.30 && r < 0.355: // the amber ring
		return amber
	case inTriangle(x, y):
		return amber
	case r <= 0.30:
		return panel
	}
	return slate
}

func inRoundedRect(x, y, lo, hi, rad float64) bool {
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	qx := math.Max(math.Max(lo+rad-x, x-(hi-rad)), 0)
	qy := math.Max(math.Max(lo+rad-y, y-(hi-rad)), 0)
	return qx*qx+qy*qy <= rad*rad
}

// inTriangle is the play mark, nudged right so it looks centred.
func inTriangle(x, y float64) bool {
	const left, right, half = 0.43, 0.64, 0.12
	if x < left || x > right {
		return false
	}
	h := half * (right - x) / (right - left)
	return math.Abs(y-0.5) <= h
}

func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := shade((float64(px)+(float64(sx)+0.5)/ss)/size, (float64(py)+(float64(sy)+0.5)/ss)/size)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5),
				A: uint8(a/(ss*ss)*255 + 0.5),
			})
		}
	}
	return img
}
