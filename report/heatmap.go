package report

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Best says which cell of a [Heatmap] is outlined as the best.
type Best int

// The choices of best cell.
const (
	Lowest  Best = iota // the lowest value, as for a loss
	Highest             // the highest value, as for an accuracy
	NoBest              // no cell
)

// A Heatmap shows a 2-D sweep: one cell per pair of parameter values, coloured by its value
// (viridis, colour-blind safe) and annotated with it. Cells are evenly spaced whatever the
// values (a log-scale grid has evenly spaced exponents), and the axes label each row and
// column with its value. A cell whose value is NaN or infinite is a diverged trial: grey,
// labelled "diverged". The best cell is outlined.
type Heatmap struct {
	Title  string
	XLabel string    // the parameter of the columns, e.g. "learning rate"
	YLabel string    // the parameter of the rows, e.g. "weight decay"
	X      []float64 // the values of the columns, left to right
	Y      []float64 // the values of the rows, bottom to top
	// Z[i][j] is the value of the trial at Y[i] and X[j].
	Z      [][]float64
	ZLabel string // what the values are, e.g. "validation loss"; it names the colour bar
	// LogZ colours by the logarithm of the values (all finite values must be positive).
	LogZ bool
	Best Best
	// Digits is the number of significant digits of the annotations. If Digits is 0, 3.
	Digits int
	// If Width or Height is 0, it is DefaultWidth or DefaultHeight.
	Width, Height vg.Length
}

var _ Chart = (*Heatmap)(nil)

// Size implements Chart.
func (h *Heatmap) Size() (width, height vg.Length) {
	width, height = h.Width, h.Height
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	return width, height
}

// viridis is matplotlib's viridis colour map, from its control colours; its luminance
// increases, so it reads in grey and for colour-blind readers.
func viridis() palette.ColorMap {
	hex := []uint32{0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xFDE725}
	cs := make([]color.Color, len(hex))
	for i, v := range hex {
		cs[i] = color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
	}
	m, err := moreland.NewLuminance(cs)
	if err != nil {
		panic("report: viridis: " + err.Error())
	}
	return m
}

// heatGrid is a Heatmap's values on index coordinates, as plotter.HeatMap reads them. Its
// Z is the colour of a cell: where the value (its logarithm with LogZ) lies between zr.min
// and zr.max, from 0 to 1, so that plotter.HeatMap never computes a difference of values
// that overflows (1e308 − (−1e308)).
type heatGrid struct {
	z   [][]float64
	log bool
	zr  span
}

func (g heatGrid) Dims() (c, r int) { return len(g.z[0]), len(g.z) }
func (g heatGrid) X(c int) float64  { return float64(c) }
func (g heatGrid) Y(r int) float64  { return float64(r) }
func (g heatGrid) Z(c, r int) float64 {
	v := g.value(c, r)
	if math.IsNaN(v) {
		return v
	}
	return math.Max(0, math.Min(unit(v, g.zr.min, g.zr.max), 1))
}

// value returns the value of a cell on the colour scale (its logarithm with LogZ), NaN for
// a diverged cell.
func (g heatGrid) value(c, r int) float64 {
	v := g.z[r][c]
	if !finite(v) {
		return math.NaN()
	}
	if g.log {
		return log10(v)
	}
	return v
}

// check panics on a grid whose shape does not match its axes.
func (h *Heatmap) check() {
	if len(h.Z) != len(h.Y) {
		panic(fmt.Sprintf("report: heatmap %q has %d rows of values for %d y values", h.Title, len(h.Z), len(h.Y)))
	}
	for i, row := range h.Z {
		if len(row) != len(h.X) {
			panic(fmt.Sprintf("report: heatmap %q row %d has %d values for %d x values", h.Title, i, len(row), len(h.X)))
		}
	}
}

// Draw implements Chart. It returns an error when the grid is empty, and when LogZ is set
// and a finite value is not positive.
func (h *Heatmap) Draw(c draw.Canvas) error {
	h.check()
	if len(h.X) == 0 || len(h.Y) == 0 {
		return fmt.Errorf("%w: heatmap %q", errNoData, h.Title)
	}
	grid := heatGrid{z: h.Z, log: h.LogZ}
	var zr span
	bi, bj := -1, -1
	for i, row := range h.Z {
		for j, v := range row {
			if !finite(v) {
				continue
			}
			if h.LogZ && v <= 0 {
				return fmt.Errorf("report: heatmap %q: value %v at (%v, %v) is not positive, as LogZ needs", h.Title, v, h.X[j], h.Y[i])
			}
			zr.add(grid.value(j, i))
			if bi < 0 || h.Best == Lowest && v < h.Z[bi][bj] || h.Best == Highest && v > h.Z[bi][bj] {
				bi, bj = i, j
			}
		}
	}
	if !zr.ok { // every trial diverged: grey cells only
		zr = span{0, 1, true}
	}
	if zr.narrow() {
		zr = zr.widened(0, false)
	}
	grid.zr = zr
	cmap := viridis() // on the colours of grid.Z, 0 to 1
	cmap.SetMin(0)
	cmap.SetMax(1)
	pal := cmap.Palette(255)

	p := newPlot(h.Title, h.XLabel, h.YLabel)
	hm := plotter.NewHeatMap(grid, pal)
	hm.Min, hm.Max = 0, 1
	hm.NaN = gray(0.82)
	p.Add(hm)

	digits := h.Digits
	if digits == 0 {
		digits = 3
	}
	labels := &plotter.Labels{}
	for i, row := range h.Z {
		for j, v := range row {
			sty := textStyle(tickSize, color.Black)
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			text := FormatValue(v, digits)
			if !finite(v) {
				text = "diverged"
				sty.Color = gray(0.25)
			} else if col, err := cmap.At(grid.Z(j, i)); err == nil && luminance(col) < 0.45 {
				sty.Color = color.White
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(j), Y: float64(i)})
			labels.Labels = append(labels.Labels, text)
			labels.TextStyle = append(labels.TextStyle, sty)
		}
	}
	p.Add(labels)
	if h.Best != NoBest && bi >= 0 {
		p.Add(&cellOutline{x: float64(bj), y: float64(bi)})
	}
	p.X.Tick.Marker = valueTicks(h.X)
	p.Y.Tick.Marker = valueTicks(h.Y)
	p.X.Min, p.X.Max = -0.5, float64(len(h.X))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(h.Y))-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0

	// The colour bar takes a column on the right, as tall as the cells.
	barW := vg.Points(90)
	p.Draw(draw.Crop(c, 0, -barW, 0, 0))
	cb := newPlot("", "", h.ZLabel)
	cb.Add(colorBar{cmap: cmap, r: zr})
	cb.HideX()
	cb.Y.Padding = 0
	cb.Y.Min, cb.Y.Max = zr.min, zr.max
	if h.LogZ {
		cb.Y.Tick.Marker = exponentTicks{}
	} else {
		cb.Y.Tick.Marker = linearTicks{}
	}
	dc := p.DataCanvas(draw.Crop(c, 0, -barW, 0, 0))
	bc := draw.Crop(c, c.Size().X-barW+vg.Points(14), 0, 0, 0)
	bc.Min.Y, bc.Max.Y = dc.Min.Y, dc.Max.Y
	bc.Max.X = bc.Min.X + vg.Points(62)
	// The bar's own axis goes on its left, so move the canvas right by the axis' width.
	cb.Y.Label.Padding = vg.Points(2)
	cb.Draw(bc)
	return nil
}

// colorBar draws a colour map from 0 to 1 as a vertical bar from r.min to r.max, one colour
// per point of height, as plotter.ColorBar does; but plotter.ColorBar computes with the
// values of the map, whose difference overflows past the float64 range.
type colorBar struct {
	cmap palette.ColorMap
	r    span
}

var (
	_ plot.Plotter    = colorBar{}
	_ plot.DataRanger = colorBar{}
)

// Plot implements plot.Plotter.
func (b colorBar) Plot(c draw.Canvas, p *plot.Plot) {
	n := min(max(int(c.Max.Y-c.Min.Y), 1), 4096)
	img := image.NewNRGBA64(image.Rect(0, 0, 1, n))
	for i := range n {
		col, err := b.cmap.At(float64(i) / float64(n))
		if err != nil {
			panic("report: colour bar: " + err.Error())
		}
		img.Set(0, n-1-i, col)
	}
	plotter.NewImage(img, 0, b.r.min, 1, b.r.max).Plot(c, p)
}

// DataRange implements plot.DataRanger.
func (b colorBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.r.min, b.r.max }

// valueTicks labels cells 0 … n−1 with the parameter values.
func valueTicks(v []float64) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(v))
	for i, x := range v {
		ticks[i] = plot.Tick{Value: float64(i), Label: FormatValue(x, 3)}
	}
	return ticks
}

// exponentTicks labels an axis of base-10 logarithms with the values they stand for.
type exponentTicks struct{}

func (exponentTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi, ok := tickRange(min, max)
	if !ok {
		return nil
	}
	// Exponents past the float64 range (whose powers are 0 or +Inf) have no ticks.
	lo, hi = math.Max(lo, log10(math.SmallestNonzeroFloat64)), math.Min(hi, log10(math.MaxFloat64))
	if lo > hi {
		return nil
	}
	ticks := logTicks{}.Ticks(math.Pow(10, lo), math.Pow(10, hi))
	for i := range ticks {
		// A power within rounding of an end of the range stays at that end.
		ticks[i].Value = math.Max(lo, math.Min(log10(ticks[i].Value), hi))
	}
	return ticks
}

// luminance returns the relative luminance of c in [0, 1] (Rec. 709 weights on sRGB, which is
// enough to choose black or white text).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// cellOutline draws a thick outline around the cell centred at (x, y).
type cellOutline struct{ x, y float64 }

func (o *cellOutline) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	x0, x1 := tx(o.x-0.5), tx(o.x+0.5)
	y0, y1 := ty(o.y-0.5), ty(o.y+0.5)
	inset := vg.Points(1.5)
	var path vg.Path
	path.Move(vg.Point{X: x0 + inset, Y: y0 + inset})
	path.Line(vg.Point{X: x1 - inset, Y: y0 + inset})
	path.Line(vg.Point{X: x1 - inset, Y: y1 - inset})
	path.Line(vg.Point{X: x0 + inset, Y: y1 - inset})
	path.Close()
	c.SetLineStyle(draw.LineStyle{Color: color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, Width: vg.Points(3)})
	c.Stroke(path)
}
