package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/descent-ml/descent/internal/atomicfile"
)

// A Chart is a figure that can be drawn: a [LinePlot], a [Heatmap] or a [BarChart].
type Chart interface {
	// Size returns the chart's width and height.
	Size() (width, height vg.Length)
	// Draw draws the chart on c, a canvas of the chart's size. It returns an error for data
	// that cannot be drawn (no series, no finite point).
	Draw(c draw.Canvas) error
}

// PNGDPI is the resolution of PNG files: twice the 96 dots per inch of a CSS pixel, so
// charts stay sharp on high-density screens and when zoomed.
const PNGDPI = 192

// maxPixels bounds the size of a PNG image: a chart larger than 100 million pixels (400 MB
// of RGBA; a bar chart of a thousand bars at PNGDPI) is refused rather than allocated.
const maxPixels = 1e8

// checkSize returns an error for a chart whose size is not positive and finite, or whose
// PNG image at dpi (0 for none) would have more than maxPixels.
func checkSize(ch Chart, dpi float64) error {
	w, h := ch.Size()
	if !(w > 0 && h > 0) || !finite(float64(w)) || !finite(float64(h)) {
		return fmt.Errorf("report: chart size %v × %v points is not positive", float64(w), float64(h))
	}
	if px := w.Dots(dpi) * h.Dots(dpi); dpi > 0 && !(px <= maxPixels) {
		return fmt.Errorf("report: chart of %.0f × %.0f points is too large to draw: %.3g pixels at %v dpi, more than %.0g",
			float64(w), float64(h), px, dpi, float64(maxPixels))
	}
	return nil
}

// WritePNG draws ch as a PNG image at PNGDPI to w. It returns an error for a chart larger
// than 100 million pixels.
func WritePNG(w io.Writer, ch Chart) error {
	return writePNG(w, ch, PNGDPI)
}

// writePNG draws ch as a PNG image at dpi to w.
func writePNG(w io.Writer, ch Chart, dpi float64) error {
	if err := checkSize(ch, dpi); err != nil {
		return err
	}
	width, height := ch.Size()
	c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(int(dpi)))
	if err := ch.Draw(draw.New(c)); err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("report: writing PNG: %w", err)
	}
	return nil
}

// WriteSVG draws ch as an SVG document to w. Text names the Liberation Sans font with the
// generic sans-serif family as fallback; fonts are not embedded, which keeps files small.
func WriteSVG(w io.Writer, ch Chart) error {
	if err := checkSize(ch, 0); err != nil {
		return err
	}
	width, height := ch.Size()
	c := vgsvg.NewWith(vgsvg.UseWH(width, height))
	if err := ch.Draw(draw.New(c)); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("report: writing SVG: %w", err)
	}
	// vgsvg names a font family without a generic fallback; add one so a machine without
	// Liberation Sans shows a sans-serif face rather than a serif one.
	svg := strings.ReplaceAll(buf.String(), "font-family:Liberation Sans;", "font-family:Liberation Sans,Arimo,Arial,sans-serif;")
	if _, err := io.WriteString(w, svg); err != nil {
		return fmt.Errorf("report: writing SVG: %w", err)
	}
	return nil
}

// Save draws ch to base.png and base.svg (base is a path without extension).
func Save(base string, ch Chart) error {
	for _, f := range []struct {
		ext   string
		write func(io.Writer, Chart) error
	}{{".png", WritePNG}, {".svg", WriteSVG}} {
		var buf bytes.Buffer
		if err := f.write(&buf, ch); err != nil {
			return err
		}
		if err := writeFile(base+f.ext, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes data to path atomically (internal/atomicfile): a reader never sees
// half a file, even after a crash.
func writeFile(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
