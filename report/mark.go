package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// divergedMark draws a cross where a diverged curve stops, with a note saying where it
// diverged; as a legend thumbnail, the cross alone.
type divergedMark struct {
	at    plotter.XY
	color color.Color
	note  string
	row   int // rank among the plot's diverged curves: notes on the same edge are stacked
}

var (
	_ plot.Plotter     = (*divergedMark)(nil)
	_ plot.GlyphBoxer  = (*divergedMark)(nil)
	_ plot.Thumbnailer = (*divergedMark)(nil)
)

func (m *divergedMark) glyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: m.color, Radius: vg.Points(4.5), Shape: thickCross{}}
}

// Plot implements plot.Plotter.
func (m *divergedMark) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	pt := vg.Point{X: tx(m.at.X), Y: ty(m.at.Y)}
	c.DrawGlyphNoClip(m.glyph(), pt)
	if m.note == "" {
		return
	}
	sty := textStyle(noteSize, darker(m.color))
	off := vg.Points(7)
	// Put the note where it fits: left of the cross on the right half of the axes, and
	// under it near the top.
	if pt.X > (c.Min.X+c.Max.X)/2 {
		sty.XAlign = draw.XRight
		pt.X -= off
	} else {
		sty.XAlign = draw.XLeft
		pt.X += off
	}
	step := sty.Font.Size * 1.25 * vg.Length(m.row)
	if pt.Y > c.Max.Y-3*off {
		sty.YAlign = draw.YTop
		pt.Y -= off/2 + step
	} else {
		sty.YAlign = draw.YBottom
		pt.Y += off/2 + step
	}
	c.FillText(sty, pt, drawable(m.note))
}

// GlyphBoxes implements plot.GlyphBoxer, so the axes make room for the cross.
func (m *divergedMark) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	g := m.glyph()
	return []plot.GlyphBox{{
		X:         p.X.Norm(m.at.X),
		Y:         p.Y.Norm(m.at.Y),
		Rectangle: g.Rectangle(),
	}}
}

// Thumbnail implements plot.Thumbnailer.
func (m *divergedMark) Thumbnail(c *draw.Canvas) {
	c.DrawGlyphNoClip(m.glyph(), c.Center())
}

// thickCross is an × drawn with strokes thicker than draw.CrossGlyph's.
type thickCross struct{}

func (thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(2)})
	r := sty.Radius * vg.Length(math.Cos(math.Pi/4))
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	c.Stroke(p)
	p = vg.Path{}
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	c.Stroke(p)
}

// darker returns c with its channels scaled by 0.75, for text on white.
func darker(c color.Color) color.RGBA {
	r, g, b, _ := c.RGBA()
	return color.RGBA{uint8(r >> 8 * 3 / 4), uint8(g >> 8 * 3 / 4), uint8(b >> 8 * 3 / 4), 255}
}
