package report

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files of testdata/")
	pngDir = flag.String("png", "", "also write the test charts as PNG files to `DIR`, to look at")
)

// decay returns a noisy decreasing loss curve over steps 1 … n.
func decay(rng *rand.Rand, n int, rate, floor float64) Run {
	var r Run
	for s := 1; s <= n; s++ {
		r.X = append(r.X, float64(s))
		r.Y = append(r.Y, (floor+2.3*math.Exp(-rate*float64(s)))*math.Exp(0.1*rng.NormFloat64()))
	}
	return r
}

// blowUp makes a run grow from step `from` on, reach 1e30 and turn NaN.
func blowUp(r Run, from int) Run {
	for i, x := range r.X {
		if int(x) > from {
			r.Y[i] *= math.Pow(10, float64(int(x)-from)/2)
			if r.Y[i] > 1e30 {
				r.Y[i] = math.NaN()
			}
		}
	}
	return r
}

// charts is the table of charts every test draws: each case of the package in one place.
func charts() []struct {
	name  string
	chart Chart
} {
	rng := rand.New(rand.NewPCG(1, 2))
	seeds := func(rate, floor float64) []Run {
		return []Run{decay(rng, 400, rate, floor), decay(rng, 400, rate, floor), decay(rng, 400, rate, floor)}
	}
	diverging := seeds(0.02, 0.05)
	diverging[1] = blowUp(diverging[1], 200)
	lossSeeds := &LinePlot{Title: "Training loss", X: Steps, YLabel: "training loss", LogY: true,
		Smooth: EMA{Weight: 0.8}, Series: []Series{
			{Label: "sgd", Runs: seeds(0.005, 0.1)},
			{Label: "adam", Runs: seeds(0.03, 0.04)},
			{Label: "rmsprop", Runs: diverging},
		}}

	var obs, bnd Run
	for n := 0; n <= 200; n++ {
		obs.X, obs.Y = append(obs.X, float64(n)), append(obs.Y, 3*math.Pow(0.95, float64(n)))
		bnd.X, bnd.Y = append(bnd.X, float64(n)), append(bnd.Y, 10/float64(n)) // +Inf at n = 0
	}
	bound := &LinePlot{Title: "gd-smooth", YLabel: "F(θₙ) − F*", LogY: true, Series: []Series{
		{Label: "gradient descent", Runs: []Run{obs}},
		{Label: "bound L‖θ₀ − θ*‖²/(2n)", Runs: []Run{bnd}, Role: Bound},
		{Label: "slope −1", Runs: []Run{{X: []float64{1, 200}, Y: []float64{5, 5.0 / 200}}}, Role: Reference},
	}}

	allDiverged := &LinePlot{Title: "Every run diverged", X: Iterations, YLabel: "loss", Series: []Series{
		{Label: "a", Runs: []Run{blowUp(decay(rng, 100, 0.05, 0.1), 30)}},
		{Label: "b", Runs: []Run{blowUp(decay(rng, 100, 0.05, 0.1), 10)}},
	}}

	accuracy := &LinePlot{Title: "Test accuracy", X: Epochs, YLabel: "test accuracy", Band: BandMinMax}
	for k, name := range []string{"sgd", "adam", "adagrad"} {
		s := Series{Label: name}
		for seed := 0; seed < 3; seed++ {
			var r Run
			for e := 1; e <= 5; e++ {
				r.X = append(r.X, float64(e))
				r.Y = append(r.Y, 0.9+0.015*float64(k)+0.01*float64(e)+0.003*rng.NormFloat64())
			}
			if name == "adagrad" {
				r.X, r.Y, r.DivergedStep = r.X[:3], r.Y[:3], 1234 // stopped by the loop, no NaN logged
			}
			s.Runs = append(s.Runs, r)
		}
		accuracy.Series = append(accuracy.Series, s)
	}

	seconds := &LinePlot{Title: "Against time", X: Seconds, YLabel: "loss", LogX: true, LogY: true,
		Smooth: Window{Size: 5}, Series: []Series{{Label: "one run", Runs: []Run{{
			X: []float64{0, 0.5, 1, 2, 4, 8, 16}, Y: []float64{2.3, 1.2, 0.8, 0.5, 0.3, 0.2, 0.15}}}}}}

	heat := &Heatmap{Title: "Sweep", XLabel: "learning rate", YLabel: "weight decay", ZLabel: "validation loss", LogZ: true,
		X: []float64{1e-4, 1e-3, 1e-2, 1e-1}, Y: []float64{0, 1e-4, 1e-3},
		Z: [][]float64{{0.5, 0.2, 0.1, math.Inf(1)}, {0.6, 0.25, 0.09, math.NaN()}, {0.7, 0.3, 0.15, math.Inf(1)}}}
	heatDiverged := &Heatmap{Title: "All diverged", X: []float64{1, 2}, Y: []float64{1},
		Z: [][]float64{{math.NaN(), math.Inf(1)}}, Best: Highest}

	bars := &BarChart{Title: "Final test accuracy", ValueLabel: "test accuracy", Percent: true, Base: 0.95, Bars: []Bar{
		{Label: "sgd", Value: 0.975, Spread: 0.001}, {Label: "adam", Value: 0.981, Spread: 0.0005},
		{Label: "rmsprop", Diverged: true}, {Label: "adagrad", Value: 0.977}}}

	return []struct {
		name  string
		chart Chart
	}{
		{"loss-seeds-diverged", lossSeeds},
		{"bound", bound},
		{"all-diverged", allDiverged},
		{"accuracy-minmax", accuracy},
		{"seconds-logx", seconds},
		{"heatmap", heat},
		{"heatmap-all-diverged", heatDiverged},
		{"bars", bars},
	}
}

// TestPNG draws every chart to PNG: it decodes, has the chart's size at PNGDPI and is not
// blank.
func TestPNG(t *testing.T) {
	for _, tc := range charts() {
		var buf bytes.Buffer
		if err := WritePNG(&buf, tc.chart); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if *pngDir != "" {
			if err := os.WriteFile(filepath.Join(*pngDir, tc.name+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		w, h := tc.chart.Size()
		b := img.Bounds()
		if b.Dx() != int(w.Dots(PNGDPI)+0.5) || b.Dy() != int(h.Dots(PNGDPI)+0.5) {
			t.Errorf("%s: %d×%d pixels, want %.0f×%.0f", tc.name, b.Dx(), b.Dy(), w.Dots(PNGDPI), h.Dots(PNGDPI))
		}
		ink := 0
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				r, g, bl, _ := img.At(x, y).RGBA()
				if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
					ink++
				}
			}
		}
		if frac := float64(ink) / float64(b.Dx()*b.Dy()/4); frac < 0.01 {
			t.Errorf("%s: only %.2f%% of the image is drawn", tc.name, 100*frac)
		}
	}
}

var (
	svgElem   = regexp.MustCompile(`<(text|path)\b([^>]*)>([^<]*)`)
	svgStyle  = regexp.MustCompile(`style="([^"]*)"`)
	svgPathD  = regexp.MustCompile(`\bd="([^"]*)"`)
	svgNumber = regexp.MustCompile(`-?[0-9.]+(?:e[-+]?[0-9]+)?|NaN|[-+]?Inf`)
	svgSize   = regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`)
)

// svgStructure summarises an SVG as its texts and the styles of its paths, in drawing
// order, without coordinates: what the golden files compare. It also checks that every
// coordinate of every path is a finite number on the canvas, so that no curve is garbage
// and no blow-up escapes the clip.
func svgStructure(t *testing.T, name, svg string) string {
	m := svgSize.FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("%s: no viewBox", name)
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	var b strings.Builder
	for _, e := range svgElem.FindAllStringSubmatch(svg, -1) {
		style := ""
		if s := svgStyle.FindStringSubmatch(e[2]); s != nil {
			style = s[1]
		}
		switch e[1] {
		case "text":
			size := style[strings.Index(style, "font-size:"):]
			fmt.Fprintf(&b, "text %s %q\n", strings.SplitN(size, ";", 2)[0], e[3])
		case "path":
			fmt.Fprintf(&b, "path %s\n", style)
			d := svgPathD.FindStringSubmatch(e[2])
			if d == nil {
				continue
			}
			nums := svgNumber.FindAllString(d[1], -1)
			for i, s := range nums {
				v, err := strconv.ParseFloat(s, 64)
				lim := w
				if i%2 == 1 {
					lim = h
				}
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < -1 || v > lim+1 {
					if strings.Contains(d[1], "A") { // arcs carry radii and angles
						continue
					}
					t.Errorf("%s: path coordinate %q outside the %gx%g canvas: %.80s", name, s, w, h, d[1])
					break
				}
			}
		}
	}
	return b.String()
}

// TestSVGGolden compares the structure of each chart's SVG with testdata/NAME.svg.golden
// (go test -update rewrites them): the texts (titles, ticks, legends, notes) and the path
// styles (colours, dashes), in order.
func TestSVGGolden(t *testing.T) {
	for _, tc := range charts() {
		var buf bytes.Buffer
		if err := WriteSVG(&buf, tc.chart); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		got := svgStructure(t, tc.name, buf.String())
		path := filepath.Join("testdata", tc.name+".svg.golden")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: SVG structure differs from %s (go test -update rewrites it):\n%s", tc.name, path, diffLines(string(want), got))
		}
	}
}

// diffLines shows the first lines where two texts differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n   got %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// TestSVGTexts checks what a reader must see in the charts.
func TestSVGTexts(t *testing.T) {
	want := map[string][]string{
		"loss-seeds-diverged":  {"rmsprop (diverged at step 2", "1 of 3 seeds)", "Training loss", "step"},
		"bound":                {"bound L‖θ₀ − θ*‖²/(2n)", "F(θ_n) − F*", "slope −1"},
		"all-diverged":         {"a (diverged at iteration", "b (diverged at iteration"},
		"accuracy-minmax":      {"adagrad (diverged at step 1234, 3 of 3 seeds)", "epoch"},
		"seconds-logx":         {"wall-clock time (s)"},
		"heatmap":              {"diverged", "0.09", "0.0001", "0.001", "validation loss"},
		"heatmap-all-diverged": {"diverged"},
		"bars":                 {"diverged", "98.1% ± 0.05", "97.7%", "rmsprop"},
	}
	for _, tc := range charts() {
		var buf bytes.Buffer
		if err := WriteSVG(&buf, tc.chart); err != nil {
			t.Fatal(err)
		}
		for _, s := range want[tc.name] {
			if !strings.Contains(buf.String(), htmlEscape(s)) {
				t.Errorf("%s: SVG lacks %q", tc.name, s)
			}
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestDivergedAxis: a run that blows up to 1e30 and then NaN stops at its last finite
// point, and the y axis stays that of the runs that did not diverge.
func TestDivergedAxis(t *testing.T) {
	ok := Run{X: []float64{1, 2, 3, 4}, Y: []float64{1, 0.5, 0.2, 0.1}}
	bad := Run{X: []float64{1, 2, 3, 4, 5, 6}, Y: []float64{1, 0.4, 1e10, 1e30, math.NaN(), 0.1}}
	for _, logY := range []bool{false, true} {
		lp := &LinePlot{X: Steps, LogY: logY, Series: []Series{{Label: "ok", Runs: []Run{ok}}, {Label: "bad", Runs: []Run{bad}}}}
		curves, err := lp.prepare()
		if err != nil {
			t.Fatal(err)
		}
		cv := curves[1]
		if !cv.diverged || cv.note != "diverged at step 5" || len(cv.line) != 4 || cv.line[3].Y != 1e30 {
			t.Fatalf("log %v: diverged %v, note %q, %d points", logY, cv.diverged, cv.note, len(cv.line))
		}
		_, yr := lp.ranges(curves)
		if yr.max > 2 || yr.min < 0.05 && logY || !yr.ok {
			t.Errorf("log %v: y range [%g, %g] blown up by the diverged run", logY, yr.min, yr.max)
		}
		if cv.end.X != 4 || cv.end.Y != yr.max {
			t.Errorf("log %v: cross at %v, want (4, %g): the last finite point, on the top edge", logY, cv.end, yr.max)
		}
	}
}

func TestMeanOfRuns(t *testing.T) {
	a := Run{X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 2, 3}}
	b := Run{X: []float64{0, 1.5, 3}, Y: []float64{1, 2.5, 4}} // x + 1, interpolated at 1 and 2
	for _, band := range []Band{BandStd, BandMinMax, BandNone} {
		lp := &LinePlot{Band: band, Series: []Series{{Runs: []Run{a, b}}}}
		curves, err := lp.prepare()
		if err != nil {
			t.Fatal(err)
		}
		cv := curves[0]
		if len(cv.line) != 4 {
			t.Fatalf("%d points", len(cv.line))
		}
		for i, p := range cv.line {
			x := float64(i)
			if p.X != x || math.Abs(p.Y-(x+0.5)) > 1e-12 {
				t.Errorf("band %d: point %d = %v, want (%g, %g)", band, i, p, x, x+0.5)
			}
			var lo, hi float64
			switch band {
			case BandStd:
				lo, hi = x+0.5-math.Sqrt2/2, x+0.5+math.Sqrt2/2
			case BandMinMax:
				lo, hi = x, x+1
			case BandNone:
				if cv.lo != nil {
					t.Fatal("a band with BandNone")
				}
				continue
			}
			if math.Abs(cv.lo[i]-lo) > 1e-12 || math.Abs(cv.hi[i]-hi) > 1e-12 {
				t.Errorf("band %d: point %d band [%g, %g], want [%g, %g]", band, i, cv.lo[i], cv.hi[i], lo, hi)
			}
		}
	}
}

func TestXNotIncreasing(t *testing.T) {
	lp := &LinePlot{Series: []Series{{Label: "s", Runs: []Run{{X: []float64{1, 3, 2}, Y: []float64{1, 1, 1}}}}}}
	if err := lp.Draw(newTestCanvas(lp)); err == nil || !strings.Contains(err.Error(), "not increasing") {
		t.Errorf("error %v", err)
	}
	empty := &LinePlot{Series: []Series{{Label: "s"}}}
	if err := empty.Draw(newTestCanvas(empty)); err == nil {
		t.Error("no error for a plot without data")
	}
}

func TestSmoothers(t *testing.T) {
	y := []float64{0, 1, 1, 1}
	got := make([]float64, len(y))
	EMA{Weight: 0.5}.Smooth(got, y)
	// s = 0, 0.5, 0.75, 0.875 over 1 − 0.5ⁿ = 0.5, 0.75, 0.875, 0.9375.
	want := []float64{0, 0.5 / 0.75, 0.75 / 0.875, 0.875 / 0.9375}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("EMA: %v, want %v", got, want)
			break
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	long := make([]float64, 1000)
	for i := range long {
		long[i] = rng.NormFloat64()
	}
	got = make([]float64, len(long))
	Window{Size: 7}.Smooth(got, long)
	for i := range long {
		sum, n := 0.0, 0
		for j := max(0, i-6); j <= i; j++ {
			sum += long[j]
			n++
		}
		if math.Abs(got[i]-sum/float64(n)) > 1e-12 {
			t.Fatalf("Window: point %d = %v, want %v", i, got[i], sum/float64(n))
		}
	}
	for _, s := range []Smoother{EMA{}, Window{}} { // defaults keep a constant
		c := []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}
		out := make([]float64, len(c))
		s.Smooth(out, c)
		for _, v := range out {
			if math.Abs(v-3) > 1e-12 {
				t.Errorf("%T changes a constant: %v", s, out)
				break
			}
		}
	}
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		ticker   plot.Ticker
		min, max float64
		labels   string
	}{
		{logTicks{}, 1e-9, 1, "1e-9 1e-8 1e-7 1e-6 1e-5 1e-4 0.001 0.01 0.1 1"},
		{logTicks{}, 1e-30, 1e10, "1e-30 1e-25 1e-20 1e-15 1e-10 1e-5 1 1e5 1e10"},
		{logTicks{}, 0.05, 5, "0.05 0.1 0.2 0.5 1 2 5"},
		{logTicks{}, 0.21, 0.48, "0.25 0.3 0.35 0.4 0.45"}, // too narrow for 1-2-5: linear ticks
		{linearTicks{}, 0, 2300, "0 500 1000 1500 2000"},
		{linearTicks{}, 0.905, 0.975, "0.91 0.92 0.93 0.94 0.95 0.96 0.97"},
		{linearTicks{}, -1.5, 1.5, "-1.5 -1 -0.5 0 0.5 1 1.5"},
		{linearTicks{}, 1e-9, 4e-9, "1e-9 1.5e-9 2e-9 2.5e-9 3e-9 3.5e-9 4e-9"},
		{percentTicks{}, 0.95, 0.99, "95% 96% 97% 98% 99%"},
	} {
		var labels []string
		for _, tk := range tc.ticker.Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != tc.labels {
			t.Errorf("%T [%g, %g]: %q, want %q", tc.ticker, tc.min, tc.max, got, tc.labels)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		digits int
		want   string
	}{
		{0.001, 3, "0.001"}, {3e-5, 3, "3e-5"}, {1.5e6, 3, "1.5e6"}, {250, 6, "250"},
		{0.30000000000000004, 6, "0.3"}, {math.NaN(), 3, "NaN"}, {math.Inf(-1), 3, "-Inf"}, {-2.5e-10, 2, "-2.5e-10"},
	} {
		if got := FormatValue(tc.v, tc.digits); got != tc.want {
			t.Errorf("FormatValue(%v, %d) = %q, want %q", tc.v, tc.digits, got, tc.want)
		}
	}
}

func TestDrawable(t *testing.T) {
	if got := drawable("10⁻³ at θₙ, ∇f ≤ ‖x‖²"); got != "10^-³ at θ_n, grad f ≤ ‖x‖²" {
		t.Errorf("drawable: %q", got)
	}
	if got := drawable("plain ascii"); got != "plain ascii" {
		t.Errorf("drawable: %q", got)
	}
}

func TestHeatmapErrors(t *testing.T) {
	h := &Heatmap{X: []float64{1, 2}, Y: []float64{1}, Z: [][]float64{{1, -1}}, LogZ: true}
	if err := WritePNG(&bytes.Buffer{}, h); err == nil || !strings.Contains(err.Error(), "not positive") {
		t.Errorf("LogZ with a negative value: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "row 0 has 1 values for 2 x values") {
			t.Errorf("panic %v", r)
		}
	}()
	WritePNG(&bytes.Buffer{}, &Heatmap{X: []float64{1, 2}, Y: []float64{1}, Z: [][]float64{{1}}})
}

// TestLegendPlacement: a short legend goes right of the axes; long labels go under them,
// adding to the chart's height.
func TestLegendPlacement(t *testing.T) {
	run := []Run{{X: []float64{1, 2}, Y: []float64{1, 2}}}
	short := &LinePlot{Series: []Series{{Label: "sgd", Runs: run}, {Label: "adam", Runs: run}}}
	if _, h := short.Size(); h != DefaultHeight {
		t.Errorf("short legend: height %v, want %v", h, DefaultHeight)
	}
	long := &LinePlot{Series: []Series{{Label: strings.Repeat("a long label ", 6), Runs: run}, {Label: "adam", Runs: run}}}
	if _, h := long.Size(); h <= DefaultHeight {
		t.Errorf("long legend: height %v, want more than %v", h, DefaultHeight)
	}
	var l vg.Length = DefaultWidth
	if lay := newLegendLayout(short.legendEntries(nil), l); lay.right == 0 || lay.below != 0 {
		t.Errorf("short legend layout %+v", lay)
	}
}

func newTestCanvas(ch Chart) draw.Canvas {
	w, h := ch.Size()
	return draw.New(vgimg.New(w, h))
}

// A seed that diverges early cuts the other seeds there; a seed left with no point before
// the cut drops out of the mean instead of breaking it.
func TestDivergedCutLeavesSeedEmpty(t *testing.T) {
	early := Run{X: []float64{1, 2}, Y: []float64{1, math.NaN()}}
	late := Run{X: []float64{3, 4, 5}, Y: []float64{0.5, 0.4, 0.3}}
	ok := Run{X: []float64{1, 2, 3}, Y: []float64{1, 0.9, 0.8}}
	lp := &LinePlot{X: Steps, Series: []Series{{Label: "s", Runs: []Run{early, late, ok}}}}
	curves, err := lp.prepare()
	if err != nil {
		t.Fatal(err)
	}
	cv := curves[0]
	if !cv.diverged || len(cv.line) == 0 {
		t.Fatalf("diverged %v, %d points", cv.diverged, len(cv.line))
	}
	for _, p := range cv.line {
		if p.X > 2 {
			t.Errorf("point %v past the divergence at step 2", p)
		}
	}
}
