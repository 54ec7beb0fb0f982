package report

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A legendEntry is one line of a legend.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// legendEntries returns the legend of the curves: each label, with where it diverged.
func (lp *LinePlot) legendEntries(curves []*curve) []legendEntry {
	if curves == nil {
		var err error
		if curves, err = lp.prepare(); err != nil {
			return nil
		}
	}
	entries := make([]legendEntry, 0, len(curves))
	for _, cv := range curves {
		e := legendEntry{text: cv.label}
		if cv.lo != nil {
			e.thumbs = append(e.thumbs, &plotter.Polygon{Color: withAlpha(cv.color, 0.18)})
		}
		e.thumbs = append(e.thumbs, lineOf(nil, cv.color, cv.dashes, 1.6))
		if cv.diverged {
			e.text += " (" + cv.note + ")"
			e.thumbs = append(e.thumbs, &divergedMark{color: cv.color})
		}
		e.text = drawable(e.text)
		entries = append(entries, e)
	}
	return entries
}

// A legendLayout places a legend beside the axes, on the right, or, when that would take
// more than 30% of the width, under them in as many columns as fit.
type legendLayout struct {
	entries []legendEntry
	style   text.Style
	right   vg.Length // width of the column on the right, or 0
	below   vg.Length // height of the rows under the axes, or 0
	cols    int
	colW    vg.Length
	rowH    vg.Length
}

const (
	legendThumb = 22 // points
	legendGap   = 10 // points between the axes and the legend, and between columns
)

func newLegendLayout(entries []legendEntry, width vg.Length) legendLayout {
	l := legendLayout{entries: entries, style: textStyle(legendSize, gray(0.1))}
	if len(entries) == 0 {
		return l
	}
	em := l.style.Width(" ")
	for _, e := range entries {
		l.colW = max(l.colW, vg.Points(legendThumb)+em+l.style.Width(e.text))
	}
	l.rowH = l.style.Height("Xg") + vg.Points(3)
	if l.colW+vg.Points(2*legendGap) <= 0.3*width {
		l.right = l.colW + vg.Points(2*legendGap)
		l.cols = 1
		return l
	}
	l.colW += vg.Points(legendGap)
	l.cols = max(1, int((width-vg.Points(legendGap))/l.colW))
	rows := (len(entries) + l.cols - 1) / l.cols
	l.below = vg.Length(rows)*l.rowH + vg.Points(legendGap)
	return l
}

// draw draws p and the legend on c; h is the height of the axes.
func (l legendLayout) draw(c draw.Canvas, p *plot.Plot, h vg.Length) {
	p.Draw(draw.Crop(c, 0, -l.right, l.below, 0))
	if len(l.entries) == 0 {
		return
	}
	top := vg.Length(0)
	if p.Title.Text != "" {
		top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	rows := (len(l.entries) + l.cols - 1) / l.cols
	for col := 0; col < l.cols; col++ {
		leg := plot.NewLegend()
		leg.TextStyle = l.style
		leg.Top, leg.Left = true, true
		leg.ThumbnailWidth = vg.Points(legendThumb)
		leg.Padding = vg.Points(3)
		for i := col * rows; i < min(len(l.entries), (col+1)*rows); i++ {
			leg.Add(l.entries[i].text, l.entries[i].thumbs...)
		}
		var lc draw.Canvas
		if l.right > 0 {
			lc = draw.Crop(c, c.Size().X-l.right+vg.Points(legendGap), 0, l.below, -top)
		} else {
			x := vg.Points(legendGap) + vg.Length(col)*l.colW
			lc = draw.Crop(c, x, 0, 0, -(c.Size().Y - l.below + vg.Points(legendGap/2)))
		}
		leg.Draw(lc)
	}
}
