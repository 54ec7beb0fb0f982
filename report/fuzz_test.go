package report

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
)

// returnsWithin runs f and panics if it has not returned after d: a ticker or a chart that
// loops forever. A panic, not t.Fatal, so that the test binary stops at once instead of
// letting the runaway goroutine allocate until the machine runs out of memory.
func returnsWithin(d time.Duration, what string, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		panic(fmt.Sprintf("%s did not return within %v", what, d))
	}
}

// adjacent are the ends of the y axis on which descent train --model logreg --train-size
// 2000 --test-size 500 --epochs 1 hung until out of memory: two neighbouring float64s.
var adjacent = [2]float64{math.Float64frombits(0x3fffa663a9999999), math.Float64frombits(0x3fffa663a999999a)}

// tickers are the tickers of the package, by name.
var tickers = []struct {
	name string
	t    plot.Ticker
	log  bool // values are positive and the range is checked in ratio
}{
	{"linear", linearTicks{}, false},
	{"log", logTicks{}, true},
	{"percent", percentTicks{}, false},
	{"exponent", exponentTicks{}, false},
}

// checkTicks checks the ticks of every ticker on [min, max]: they are returned within a few
// seconds, at most maxTicks of them, finite, within the range give or take rounding, and
// for a range of distinct finite values (positive for a log axis) at least two carry labels,
// all different.
func checkTicks(t *testing.T, min, max float64) {
	t.Helper()
	for _, tk := range tickers {
		var ticks []plot.Tick
		returnsWithin(5*time.Second, fmt.Sprintf("%s ticks of [%v, %v]", tk.name, min, max), func() {
			ticks = tk.t.Ticks(min, max)
		})
		if len(ticks) > maxTicks {
			t.Errorf("%s [%v, %v]: %d ticks, more than %d", tk.name, min, max, len(ticks), maxTicks)
			continue
		}
		lo, hi, ok := tickRange(min, max)
		if !ok {
			if len(ticks) > 0 {
				t.Errorf("%s [%v, %v]: %d ticks on a range that is not finite", tk.name, min, max, len(ticks))
			}
			continue
		}
		var labels []string
		for _, tick := range ticks {
			v := tick.Value
			near := false
			switch {
			case tk.log:
				near = v > 0 && v >= lo*(1-1e-6) && v <= hi*(1+1e-6)
			default:
				tol := 1e-6*2*halfSpan(lo, hi) + 1e-9*math.Max(math.Abs(lo), math.Abs(hi)) + 1e-300
				near = v >= lo-tol && v <= hi+tol
			}
			if !finite(v) || !near {
				t.Errorf("%s [%v, %v]: tick %v (%q) is outside the range", tk.name, min, max, v, tick.Label)
			}
			if tick.Label != "" {
				labels = append(labels, tick.Label)
				if len(tick.Label) > 32 {
					t.Errorf("%s [%v, %v]: label %q is too long", tk.name, min, max, tick.Label)
				}
			}
		}
		distinct := lo < hi && (!tk.log || lo > 0)
		switch tk.name {
		case "percent":
			distinct = distinct && finite(100*lo) && finite(100*hi) && 100*lo < 100*hi
		case "exponent":
			// Exponents past the float64 range have no ticks; within it, ticks of
			// exponents closer than a rounding error of their power may coincide.
			distinct = false
		}
		if distinct {
			if len(labels) < 2 {
				t.Errorf("%s [%v, %v]: labels %q, want at least two", tk.name, min, max, labels)
			}
			seen := map[string]bool{}
			for _, l := range labels {
				if seen[l] {
					t.Errorf("%s [%v, %v]: label %q repeats in %q", tk.name, min, max, l, labels)
					break
				}
				seen[l] = true
			}
		}
	}
}

// tickRanges are the awkward ranges every ticker must handle; they also seed FuzzTicks.
func tickRanges() [][2]float64 {
	inf, nan := math.Inf(1), math.NaN()
	up := func(v float64) float64 { return math.Nextafter(v, inf) }
	return [][2]float64{
		adjacent,
		{1, up(1)}, {0.1, up(up(0.1))}, {-1, up(-1)}, {1e15, up(1e15)}, {0, 5e-324},
		{0, 0}, {1, 1}, {-3.5, -3.5}, {5e-324, 5e-324}, {math.MaxFloat64, math.MaxFloat64},
		{-1e308, 1e308}, {-math.MaxFloat64, math.MaxFloat64}, {1e-320, 1e308}, {5e-324, math.MaxFloat64},
		{1e-320, 2e-320}, {1e-320, 1e-300}, {1e300, 1e308}, {-1e-320, 1e-320},
		{nan, 1}, {1, nan}, {nan, nan}, {-inf, inf}, {0, inf}, {-inf, 0}, {inf, inf},
		{10, 1}, {0, 2300}, {1e-9, 1}, {0.21, 0.48}, {1 - 1e-12, 1 + 1e-12}, {0.693147180, 0.693147181},
		{-1, 0}, {-1e-300, 1e-300}, {2, 3}, {1.5, 1500},
	}
}

// The original hang: linearTicks on two neighbouring float64s looped with a counter that no
// longer advanced once past 2⁵³, appending ticks until the memory ran out.
func TestTicksAdjacentFloats(t *testing.T) {
	var lin, lg []plot.Tick
	returnsWithin(5*time.Second, "linearTicks on two neighbouring float64s", func() {
		lin = linearTicks{}.Ticks(adjacent[0], adjacent[1])
	})
	returnsWithin(5*time.Second, "logTicks on two neighbouring float64s", func() {
		lg = logTicks{}.Ticks(adjacent[0], adjacent[1])
	})
	for _, ticks := range [][]plot.Tick{lin, lg} {
		if len(ticks) != 2 || ticks[0].Label == ticks[1].Label {
			t.Errorf("ticks %v, want the two ends, labelled apart", ticks)
		}
	}
}

func TestTicksBounded(t *testing.T) {
	for _, r := range tickRanges() {
		checkTicks(t, r[0], r[1])
		checkTicks(t, r[1], r[0])
	}
}

// FuzzTicks checks every ticker on arbitrary ranges (go test -fuzz FuzzTicks ./report).
func FuzzTicks(f *testing.F) {
	for _, r := range tickRanges() {
		f.Add(r[0], r[1])
	}
	f.Fuzz(func(t *testing.T, min, max float64) {
		checkTicks(t, min, max)
	})
}

// The train report of a one-epoch logistic regression: a log-scale training loss, smoothed,
// whose values differ by one unit in the last place. Its axis is widened like a constant's.
func TestLinePlotAdjacentValues(t *testing.T) {
	for _, smooth := range []Smoother{nil, EMA{Weight: 0.6}} {
		lp := &LinePlot{Title: "Training loss", X: Steps, LogY: true, Smooth: smooth, Series: []Series{
			{Label: "adam", Runs: []Run{{X: []float64{10, 16}, Y: []float64{adjacent[0], adjacent[1]}}}},
		}}
		returnsWithin(20*time.Second, "the line plot of two neighbouring values", func() {
			if err := WriteSVG(&bytes.Buffer{}, lp); err != nil {
				t.Error(err)
			}
		})
		curves, err := lp.prepare()
		if err != nil {
			t.Fatal(err)
		}
		_, yr := lp.ranges(curves)
		if !(yr.min < 0.95*adjacent[0] && yr.max > 1.05*adjacent[1]) {
			t.Errorf("y axis [%v, %v], want it widened around %v", yr.min, yr.max, adjacent[0])
		}
	}
}

// chartDecoder turns fuzzer bytes into charts. Each value is a tag byte and, for a raw
// float64, eight more bytes; the tags also give small integers, the special values and the
// neighbours of the previous value, which random bits almost never hit.
type chartDecoder struct {
	b    []byte
	prev float64
}

var specials = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 2.5, 1e-3, 1e3, math.NaN(), math.Inf(1), math.Inf(-1),
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-320, 1e308, -1e308, 2.2250738585072014e-308}

func (d *chartDecoder) byte() byte {
	if len(d.b) == 0 {
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *chartDecoder) float() float64 {
	tag := d.byte()
	var v float64
	switch tag % 8 {
	case 0:
		var raw [8]byte
		n := copy(raw[:], d.b)
		d.b = d.b[n:]
		v = math.Float64frombits(binary.LittleEndian.Uint64(raw[:]))
	case 1:
		v = float64(int8(d.byte()))
	case 2:
		v = specials[int(d.byte())%len(specials)]
	case 3:
		v = math.Nextafter(d.prev, math.Inf(1))
	case 4:
		v = math.Nextafter(d.prev, math.Inf(-1))
	case 5:
		v = d.prev
	case 6:
		v = d.prev * math.Pow(10, float64(int8(d.byte()))/8)
	default:
		v = float64(d.byte()) / 16
	}
	d.prev = v
	return v
}

// Bounds on the size of a fuzzed chart, so that each run is quick.
const (
	fuzzSeries = 3
	fuzzRuns   = 3
	fuzzPoints = 64
	fuzzCells  = 6
	fuzzBars   = 8
)

// chart decodes one chart: a line plot, a heat map or a bar chart.
func (d *chartDecoder) chart() Chart {
	kind, flags := d.byte(), d.byte()
	switch kind % 3 {
	case 1:
		h := &Heatmap{Title: "fuzz", LogZ: flags&1 != 0, Best: Best(flags >> 1 % 3), Digits: int(flags >> 3 % 4)}
		nx, ny := 1+int(d.byte())%fuzzCells, 1+int(d.byte())%fuzzCells
		for range nx {
			h.X = append(h.X, d.float())
		}
		for range ny {
			h.Y = append(h.Y, d.float())
			row := make([]float64, nx)
			for j := range row {
				row[j] = d.float()
			}
			h.Z = append(h.Z, row)
		}
		return h
	case 2:
		b := &BarChart{Title: "fuzz", Percent: flags&1 != 0, Digits: int(flags >> 1 % 5)}
		if flags&8 != 0 {
			b.Base = d.float()
		}
		for i := range int(d.byte()) % (fuzzBars + 1) {
			b.Bars = append(b.Bars, Bar{Label: fmt.Sprint("bar ", i), Value: d.float(), Spread: d.float(), Diverged: d.byte()%8 == 0})
		}
		return b
	}
	lp := &LinePlot{Title: "fuzz", X: XKind(flags % 4), LogX: flags&4 != 0, LogY: flags&8 != 0, Band: Band(flags >> 4 % 3), HideRaw: flags&64 != 0}
	switch d.byte() % 3 {
	case 1:
		lp.Smooth = EMA{Weight: 0.8}
	case 2:
		lp.Smooth = Window{Size: 1 + int(d.byte())%20}
	}
	for s := range 1 + int(d.byte())%fuzzSeries {
		sr := Series{Label: fmt.Sprint("series ", s), Role: Role(d.byte() % 3)}
		for range 1 + int(d.byte())%fuzzRuns {
			mode, n := d.byte(), int(d.byte())%(fuzzPoints+1)
			r := Run{DivergedStep: int(int8(d.byte()))}
			x := 0.0
			for i := range n {
				switch mode % 3 {
				case 0:
					x = float64(i)
				case 1:
					x += math.Abs(d.float())
				default:
					x = d.float()
				}
				r.X = append(r.X, x)
				r.Y = append(r.Y, d.float())
			}
			sr.Runs = append(sr.Runs, r)
		}
		lp.Series = append(lp.Series, sr)
	}
	return lp
}

// drawChart draws ch as SVG and as PNG (at a low resolution, to keep fuzzing fast) and
// panics if that takes more than 30 seconds. Errors are fine: the chart may have nothing
// finite to draw; hangs and crashes are not.
func drawChart(ch Chart) {
	returnsWithin(30*time.Second, fmt.Sprintf("drawing %T", ch), func() {
		WriteSVG(&bytes.Buffer{}, ch)
		writePNG(&bytes.Buffer{}, ch, 24)
	})
}

// A seedEncoder writes the bytes that chartDecoder reads, for the corpus of FuzzCharts.
type seedEncoder []byte

func (e *seedEncoder) bytes(b ...byte) { *e = append(*e, b...) }

// floats writes values as raw float64s.
func (e *seedEncoder) floats(vs ...float64) {
	for _, v := range vs {
		*e = binary.LittleEndian.AppendUint64(append(*e, 0), math.Float64bits(v))
	}
}

// lineSeed encodes a line plot of one series whose runs have the given y values at x = 0, 1,
// 2 …; smooth is 0 (none), 1 (EMA) or 2 (a window of 5).
func lineSeed(flags, smooth byte, runs ...[]float64) []byte {
	var e seedEncoder
	e.bytes(0, flags, smooth)
	if smooth == 2 {
		e.bytes(4)
	}
	e.bytes(0, 0, byte(len(runs)-1)) // one series, observed, of len(runs) runs
	for _, ys := range runs {
		e.bytes(0, byte(len(ys)), 0) // x = 0, 1, 2 …, not marked diverged
		e.floats(ys...)
	}
	return e
}

// heatSeed encodes a heat map of one row of cells at x = 1, 2, 3 ….
func heatSeed(logZ bool, zs ...float64) []byte {
	var e seedEncoder
	flags := byte(0)
	if logZ {
		flags = 1
	}
	e.bytes(1, flags, byte(len(zs)-1), 0)
	for i := range zs {
		e.floats(float64(i + 1))
	}
	e.floats(1)
	e.floats(zs...)
	return e
}

// barSeed encodes a bar chart of bars of the given values and spreads (pairs), on base.
func barSeed(base float64, valueSpread ...float64) []byte {
	var e seedEncoder
	e.bytes(2, 8)
	e.floats(base)
	e.bytes(byte(len(valueSpread) / 2))
	for i := 0; i+1 < len(valueSpread); i += 2 {
		e.floats(valueSpread[i], valueSpread[i+1])
		e.bytes(1) // not marked diverged
	}
	return e
}

// chartSeeds are the charts FuzzCharts starts from: neighbouring, constant, subnormal, huge
// and non-finite values in line plots (smoothed or not, on linear or log axes, one run or
// several), heat maps and bar charts.
func chartSeeds() [][]byte {
	const logX, logY, minMax = 4, 8, 16
	inf, nan, huge := math.Inf(1), math.NaN(), math.MaxFloat64
	var seeds [][]byte
	for _, flags := range []byte{0, logY} {
		seeds = append(seeds,
			lineSeed(flags, 0, adjacent[:]),
			lineSeed(flags, 1, []float64{adjacent[0], adjacent[1], adjacent[0]}),
			lineSeed(flags, 2, []float64{2.3, 2.3, 2.3}),
			lineSeed(flags, 0, []float64{5e-324, 5e-324}),
			lineSeed(flags, 0, []float64{1e-320, 1e308, nan}))
	}
	return append(seeds,
		lineSeed(0, 0, []float64{-1e308, 1e308}),
		lineSeed(0, 0, []float64{-huge, huge, 0}),
		lineSeed(0, 0, []float64{1, inf, 2}),
		lineSeed(0, 0, []float64{nan}),
		lineSeed(0, 0, nil),
		lineSeed(logX|logY, 0, []float64{1, 2, 3}),
		// Seeds near the float64 limit, smoothed and averaged: sums overflow.
		lineSeed(minMax|logY, 1, []float64{huge, huge, huge}, []float64{huge, huge, 1}, []float64{1, huge, huge}),
		lineSeed(0, 2, []float64{huge, -huge, huge, huge}, []float64{-huge, -huge, 1, 2}),
		heatSeed(false, 2, 2, 2),
		heatSeed(false, adjacent[0], adjacent[1]),
		heatSeed(false, -1e308, 1e308, nan),
		heatSeed(true, 5e-324, huge, inf),
		heatSeed(true, 1, -1),
		barSeed(0, adjacent[0], 0, adjacent[1], 0),
		barSeed(0, huge, huge, -huge, 1),
		barSeed(-1e308, 1e308, 0),
		barSeed(nan, 1, 0))
}

// FuzzCharts builds line plots, heat maps and bar charts from arbitrary bytes and draws
// them (go test -fuzz FuzzCharts ./report): every chart must be drawn, or refused with an
// error, in bounded time.
func FuzzCharts(f *testing.F) {
	for _, seed := range chartSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := &chartDecoder{b: data}
		drawChart(d.chart())
	})
}

// TestChartsBounded draws the seeds of FuzzCharts, and line plots of awkward values with
// the page that holds them, so that a plain go test checks them too.
func TestChartsBounded(t *testing.T) {
	for _, seed := range chartSeeds() {
		drawChart((&chartDecoder{b: seed}).chart())
	}
	runs := [][]float64{
		adjacent[:], {-1e308, 1e308}, {-math.MaxFloat64, math.MaxFloat64, 0}, {5e-324, 5e-324},
		{1e-320, 1e308, math.NaN()}, {1, math.Inf(1), 2}, {math.NaN()}, {}, {2.3, 2.3, 2.3},
	}
	page := &Page{Title: "bounded"}
	for i, ys := range runs {
		for _, flags := range []byte{0, 4, 8, 12, 16 | 8 | 1} {
			for smooth := range byte(3) {
				ch := (&chartDecoder{b: lineSeed(flags, smooth, ys, ys)}).chart()
				drawChart(ch)
				if smooth == 0 {
					page.Add(fmt.Sprint("run ", i), Figure{Chart: ch, Caption: fmt.Sprint(ys)})
				}
			}
		}
	}
	var html bytes.Buffer
	returnsWithin(120*time.Second, "the page of the charts", func() {
		if err := page.WriteHTML(&html); err != nil && !strings.Contains(err.Error(), "no finite data") {
			t.Errorf("page: %v", err)
		}
	})
}

// A PNG past maxPixels is refused before its image is allocated; its SVG is written.
func TestPNGTooLarge(t *testing.T) {
	b := &BarChart{Title: "many bars"}
	for i := range 2000 {
		b.Bars = append(b.Bars, Bar{Label: fmt.Sprint(i), Value: float64(i)})
	}
	if err := WritePNG(&bytes.Buffer{}, b); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("PNG of 2000 bars: %v, want too large", err)
	}
	if err := WriteSVG(&bytes.Buffer{}, b); err != nil {
		t.Errorf("SVG of 2000 bars: %v", err)
	}
	if err := WriteSVG(&bytes.Buffer{}, &LinePlot{Width: -1, Series: []Series{{Runs: []Run{{X: []float64{1}, Y: []float64{1}}}}}}); err == nil {
		t.Error("a chart of negative width was drawn")
	}
}
