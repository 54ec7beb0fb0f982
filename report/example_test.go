package report_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"strings"

	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/report/results"
)

// A line plot of training loss over three seeds, one of which diverges: the mean stops
// where that seed's loss turned NaN, and the chart says so.
func ExampleLinePlot() {
	var runs []report.Run
	for seed := range 3 {
		var r report.Run
		for step := 1; step <= 100; step++ {
			loss := 2.3*math.Exp(-0.03*float64(step)) + 0.01*float64(seed)
			if seed == 2 && step >= 60 {
				loss = math.NaN() // as a training loop logs it
			}
			r.X, r.Y = append(r.X, float64(step)), append(r.Y, loss)
		}
		runs = append(runs, r)
	}
	lp := &report.LinePlot{
		Title: "Training loss", X: report.Steps, YLabel: "training loss", LogY: true,
		Smooth: report.EMA{Weight: 0.6},
		Series: []report.Series{{Label: "sgd", Runs: runs}},
	}
	var img, svg bytes.Buffer
	if err := report.WritePNG(&img, lp); err != nil {
		fmt.Println(err)
		return
	}
	if err := report.WriteSVG(&svg, lp); err != nil {
		fmt.Println(err)
		return
	}
	cfg, _ := png.DecodeConfig(&img)
	fmt.Printf("PNG %d×%d\n", cfg.Width, cfg.Height) // 8 × 4.5 in at 192 dpi, and the legend under it
	fmt.Println(strings.Contains(svg.String(), "sgd (diverged at step 60, 1 of 3 seeds)"))
	// Output:
	// PNG 1536×928
	// true
}

// The plot of a theorem: the observed error, solid, under its bound, dashed.
func ExampleLinePlot_bound() {
	var obs, bound report.Run
	for n := 1; n <= 50; n++ {
		obs.X, obs.Y = append(obs.X, float64(n)), append(obs.Y, 1/float64(n*n))
		bound.X, bound.Y = append(bound.X, float64(n)), append(bound.Y, 2/float64(n))
	}
	lp := &report.LinePlot{Title: "gd-smooth", YLabel: "F(θ) − F*", LogX: true, LogY: true,
		Series: []report.Series{
			{Label: "gradient descent", Runs: []report.Run{obs}},
			{Label: "bound L‖θ₀ − θ*‖²/(2n)", Runs: []report.Run{bound}, Role: report.Bound},
		}}
	if err := report.Save(os.TempDir()+"/descent-example-bound", lp); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("wrote descent-example-bound.png and .svg")
	// Output: wrote descent-example-bound.png and .svg
}

// A 2-D sweep: learning rate against weight decay; the largest learning rate diverged.
func ExampleHeatmap() {
	h := &report.Heatmap{
		Title: "Validation loss", XLabel: "learning rate", YLabel: "weight decay", ZLabel: "validation loss",
		X: []float64{1e-4, 1e-3, 1e-2, 1e-1}, Y: []float64{1e-5, 1e-4},
		Z: [][]float64{{0.31, 0.12, 0.08, math.Inf(1)}, {0.33, 0.13, 0.07, math.NaN()}},
	}
	var buf bytes.Buffer
	if err := report.WriteSVG(&buf, h); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(buf.String(), ">diverged<"), "cells marked diverged")
	// Output: 2 cells marked diverged
}

// A summary printed on stdout, as descent compare does; the same table goes to the page
// and to CSV.
func ExampleTable_WriteText() {
	t := report.NewTable("", "optimizer", "test accuracy", "s / epoch")
	t.Add(report.Good, "adam", "98.1%", "1.92")
	t.Add(report.Bad, "rmsprop", "diverged", "—")
	t.WriteText(os.Stdout)
	// Output:
	// optimizer  test accuracy  s / epoch
	// ───────────────────────────────────
	// adam       98.1%               1.92
	// rmsprop    diverged               —
}

// A page is built from sections; it is one HTML file that needs nothing else.
func ExamplePage() {
	lp := &report.LinePlot{Title: "Loss", Series: []report.Series{{Label: "adam",
		Runs: []report.Run{{X: []float64{1, 2, 3}, Y: []float64{2.3, 0.9, 0.4}}}}}}
	page := &report.Page{Title: "descent train", Intro: "One optimiser on MNIST."}
	table := report.NewTable("Result", "epoch", "test accuracy")
	table.Add(report.Plain, "3", "97.9%")
	page.Add("Result", table, report.Figure{Chart: lp, Caption: "Training loss.", Name: "loss"})
	var html bytes.Buffer
	if err := page.WriteHTML(&html); err != nil { // page.WriteDir(out) also writes loss.png, loss.svg
		fmt.Println(err)
		return
	}
	s := html.String()
	fmt.Println(strings.Count(s, `<img src="data:image/png;base64,`), "inline image;", strings.Contains(s, "http"))
	// Output: 1 inline image; false
}

// Plots are rebuilt from results.jsonl.
func ExampleSeriesOf() {
	jsonl := `{"run":"adam","seed":1,"kind":"epoch","step":469,"epoch":1,"seconds":2.4,"test_accuracy":0.95}
{"run":"adam","seed":1,"kind":"epoch","step":938,"epoch":2,"seconds":4.8,"test_accuracy":0.97}
{"run":"adam","seed":1,"kind":"end","step":938,"epoch":2,"seconds":4.8,"status":"done"}
{"run":"sgd","seed":1,"kind":"epoch","step":469,"epoch":1,"seconds":2.3,"test_accuracy":0.91}
{"run":"sgd","seed":1,"kind":"end","step":512,"epoch":2,"seconds":2.5,"status":"diverged"}
`
	recs, err := results.Read(strings.NewReader(jsonl))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range report.SeriesOf(results.Runs(recs), results.KindEpoch, "epoch", results.TestAccuracy) {
		r := s.Runs[0]
		fmt.Println(s.Label, r.X, r.Y, "diverged at step", r.DivergedStep)
	}
	// Output:
	// adam [1 2] [0.95 0.97] diverged at step 0
	// sgd [1] [0.91] diverged at step 512
}

func ExampleFormatValue() {
	for _, v := range []float64{0.001, 3e-5, 1.5e6, 0.30000000000000004, math.NaN()} {
		fmt.Print(report.FormatValue(v, 3), " ")
	}
	fmt.Println()
	// Output: 0.001 3e-5 1.5e6 0.3 NaN
}
