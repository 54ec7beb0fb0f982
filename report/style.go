package report

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default sizes of a chart, in points (1/72 inch). At the 2× resolution of PNG files and of
// the HTML page a default chart is 1536 × 864 pixels, shown 768 × 432 CSS pixels wide.
const (
	DefaultWidth  = 8 * vg.Inch
	DefaultHeight = 4.5 * vg.Inch
)

// Font sizes of charts, in points.
const (
	titleSize  = 13
	labelSize  = 11
	tickSize   = 9.5
	legendSize = 10
	noteSize   = 8.5
)

// sans is the typeface of every chart: Liberation Sans, which gonum/plot embeds, so PNGs
// look the same on every machine.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sans, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// newPlot returns a plot with the report's fonts, its texts made drawable.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = drawable(title)
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Length = vg.Points(5)
		a.Label.Padding = vg.Points(4)
		a.Padding = vg.Points(3)
		a.Color = gray(0.25)
		a.Tick.Color = gray(0.25)
		a.Scale = linearScale{}
		a.Tick.Marker = linearTicks{}
	}
	p.X.Label.Text = drawable(xlabel)
	p.Y.Label.Text = drawable(ylabel)
	p.Legend.TextStyle.Font = font.From(sans, legendSize)
	return p
}

func gray(v float64) color.RGBA {
	g := uint8(v*255 + 0.5)
	return color.RGBA{g, g, g, 255}
}

// Palette is the colour-blind-safe palette of series, Okabe and Ito's (2008) "Color
// Universal Design" without its yellow, which is unreadable on white: blue, vermillion,
// bluish green, orange, reddish purple, sky blue, black. Series past the seventh repeat
// the colours with a different dash pattern.
var Palette = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF},
	{0xD5, 0x5E, 0x00, 0xFF},
	{0x00, 0x9E, 0x73, 0xFF},
	{0xE6, 0x9F, 0x00, 0xFF},
	{0xCC, 0x79, 0xA7, 0xFF},
	{0x56, 0xB4, 0xE9, 0xFF},
	{0x00, 0x00, 0x00, 0xFF},
}

// dashPatterns are the dash patterns of successive rounds through Palette.
var dashPatterns = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// seriesStyle returns the colour and dashes of the i-th observed series.
func seriesStyle(i int) (color.RGBA, []vg.Length) {
	return Palette[i%len(Palette)], dashPatterns[(i/len(Palette))%len(dashPatterns)]
}

// boundDashes is the dash pattern of bound curves: long dashes, unlike any of dashPatterns.
var boundDashes = []vg.Length{vg.Points(7), vg.Points(4)}

// referenceDashes is the dash pattern of reference curves.
var referenceDashes = []vg.Length{vg.Points(2), vg.Points(3)}

// withAlpha returns the opaque colour c with opacity a in [0, 1].
func withAlpha(c color.Color, a float64) color.NRGBA {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a*255 + 0.5)}
}
