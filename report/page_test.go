package report

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/report/results"
)

// samplePage is a page with every kind of block, some text that needs escaping and one
// figure that cannot be drawn.
func samplePage() *Page {
	cs := charts()
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.Int("epochs", 5, "train for `N` epochs")
	fs.String("optimizers", "adam,sgd", "optimisers to compare")
	fs.Parse([]string{"-epochs", "3"})
	t := NewTable("Runs <and> \"quotes\"", "run", "loss", "status")
	t.Add(Good, "adam", "0.031", "done")
	t.Add(Bad, "rmsprop", "NaN", "diverged at step 412")
	t.Add(Plain, "<script>alert(1)</script>", "0.5", "done")
	m := Machine{CPU: "Test CPU", Cores: 2, GOMAXPROCS: 2, Go: "go1.26.0", OS: "linux/amd64",
		Date: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)}
	p := &Page{Title: "descent <compare>", Intro: "First paragraph with `code` & an ampersand.\n\nSecond paragraph.", Machine: &m}
	p.Add("Summary", t, Pre("$ descent compare --epochs 3\nadam  0.031"))
	p.Add("Figures", Figure{Chart: cs[0].chart, Caption: "Loss <b>not bold</b>", Name: "loss"},
		Gallery{{Chart: cs[5].chart, Caption: "Heatmap", Name: "heat"}, {Chart: cs[7].chart, Caption: "Bars"}},
		Figure{Chart: &LinePlot{Title: "empty"}, Caption: "A chart without data"})
	p.Add("Configuration", FlagTable(fs))
	return p
}

var (
	attrURL  = regexp.MustCompile(`(?i)\b(src|href|xlink:href|action|poster|data)\s*=\s*["']?([^"'\s>]*)`)
	cssURL   = regexp.MustCompile(`(?i)url\(`)
	dataPNG  = regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)
	external = []string{"http://", "https://", "//", "<script", "<link", "<iframe", "<object", "<embed", "@import"}
)

// TestPageSelfContained: the page references nothing outside itself, its images decode, and
// every text is escaped.
func TestPageSelfContained(t *testing.T) {
	var buf bytes.Buffer
	err := samplePage().WriteHTML(&buf)
	var fe *FigureError
	if !errors.As(err, &fe) || len(fe.Errs) != 1 || !strings.Contains(fe.Error(), "figure 4") {
		t.Fatalf("error %v, want a FigureError for figure 4", err)
	}
	page := buf.String()
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(page, "</html>\n") {
		t.Error("not a whole HTML document")
	}
	for _, m := range attrURL.FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[2], "data:image/png;base64,") && !strings.HasPrefix(m[2], "#") {
			t.Errorf("%s=%q points outside the page", m[1], m[2])
		}
	}
	if cssURL.MatchString(page) {
		t.Error("the style loads a url()")
	}
	text := strings.ToLower(dataPNG.ReplaceAllString(page, `src="data:"`)) // base64 may hold "//"
	for _, s := range external {
		if strings.Contains(text, s) {
			t.Errorf("the page contains %q", s)
		}
	}
	imgs := dataPNG.FindAllStringSubmatch(page, -1)
	if len(imgs) != 3 {
		t.Errorf("%d inline images, want 3", len(imgs))
	}
	for i, m := range imgs {
		raw, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Errorf("image %d: %v", i, err)
		}
	}
	for _, want := range []string{
		"<title>descent &lt;compare&gt;</title>",
		"<code>code</code> &amp; an ampersand",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"Table 1. Runs &lt;and&gt; &#34;quotes&#34;",
		`<tr class="bad"><td>rmsprop</td>`,
		`<tr class="good"><td>--epochs</td><td>3</td><td>5</td><td>train for N epochs</td></tr>`,
		"<b>Figure 1.</b> Loss &lt;b&gt;not bold&lt;/b&gt;",
		`<div class="gallery">`,
		"This figure could not be drawn",
		"<b>Figure 4.</b> A chart without data",
		"<td>CPU</td><td>Test CPU</td>",
		"Friday 27 November 2026, 09:30 UTC",
		`<a href="#s4">Machine</a>`,
		`width="768" height="`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	err := samplePage().WriteDir(dir)
	var fe *FigureError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want the FigureError of the empty chart", err)
	}
	for _, name := range []string{"report.html", "loss.png", "loss.svg", "heat.png", "heat.svg"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("%d files, want 5 (no temporary file left)", len(entries))
	}
}

func TestPageNames(t *testing.T) {
	ch := charts()[1].chart
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"a", "a"}, `"a" is used twice`},
		{[]string{"../escape"}, "not a plain file name"},
	} {
		p := &Page{}
		for _, n := range tc.names {
			p.Add("s", Figure{Chart: ch, Name: n})
		}
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, tc.want) {
					t.Errorf("%v: panic %q, want %q", tc.names, r, tc.want)
				}
			}()
			p.WriteHTML(&bytes.Buffer{})
		}()
	}
}

func TestTableText(t *testing.T) {
	tb := NewTable("Summary", "optimizer", "test accuracy", "s / epoch", "status")
	tb.Add(Plain, "sgd", "97.56% ± 0.08", "1.9", "done")
	tb.Add(Bad, "rmsprop", "—", "12.25", "diverged at step 412")
	tb.Note = "a note"
	var buf bytes.Buffer
	tb.WriteText(&buf)
	want := `Summary
optimizer  test accuracy  s / epoch  status
─────────────────────────────────────────────────────────
sgd        97.56% ± 0.08        1.9  done
rmsprop                —      12.25  diverged at step 412
a note
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	tb.WriteCSV(&buf)
	if want := "optimizer,test accuracy,s / epoch,status\nsgd,97.56% ± 0.08,1.9,done\nrmsprop,—,12.25,diverged at step 412\n"; buf.String() != want {
		t.Errorf("CSV:\n%s", buf.String())
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a short row")
		}
	}()
	tb.Add(Plain, "too", "short")
}

// TestFromResults rebuilds a plot and a summary from records, one run diverged.
func TestFromResults(t *testing.T) {
	var recs []results.Record
	for seed := 1; seed <= 2; seed++ {
		for _, name := range []string{"adam", "sgd"} {
			for e := 1; e <= 3; e++ {
				loss := 1 / float64(e)
				if name == "sgd" && seed == 2 && e == 3 {
					loss = math.NaN()
				}
				recs = append(recs, results.Record{Run: name, Seed: seed, Kind: results.KindEpoch, Step: 100 * e, Epoch: e,
					Seconds: 2 * float64(e), Metrics: []results.Metric{{Name: results.TrainLoss, Value: loss},
						{Name: results.TestAccuracy, Value: 0.9 + 0.01*float64(e+seed)}}})
			}
			st := results.StatusDone
			if name == "sgd" && seed == 2 {
				st = results.StatusDiverged
			}
			recs = append(recs, results.Record{Run: name, Seed: seed, Kind: results.KindEnd, Step: 300, Epoch: 3, Status: st})
		}
	}
	runs := results.Runs(recs)
	series := SeriesOf(runs, results.KindEpoch, "epoch", results.TrainLoss)
	if len(series) != 2 || series[0].Label != "adam" || len(series[1].Runs) != 2 || series[1].Runs[1].DivergedStep != 300 {
		t.Fatalf("series %+v", series)
	}
	lp := &LinePlot{X: Epochs, Series: series}
	curves, err := lp.prepare()
	if err != nil {
		t.Fatal(err)
	}
	if !curves[1].diverged || curves[1].note != "diverged at step 300, 1 of 2 seeds" || len(curves[1].line) != 2 {
		t.Errorf("sgd curve: diverged %v, note %q, %d points", curves[1].diverged, curves[1].note, len(curves[1].line))
	}
	sums := results.Summarize(runs, results.TestAccuracy, results.TrainLoss)
	tb := SummaryTable("Summary", sums)
	var buf bytes.Buffer
	tb.WriteText(&buf)
	want := `Summary
run   test accuracy  train loss  s / epoch  seeds  status
───────────────────────────────────────────────────────────────────────────
adam  94.50% ± 0.71  0.3333 ± 0          2      2  done
sgd          94.00%      0.3333          2      2  diverged 1/2 at step 300
Highlighted green: the best test accuracy; red: diverged (its figures are from the seeds that did not).
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if tb.Rows[0].Mark != Good || tb.Rows[1].Mark != Bad {
		t.Errorf("marks %v %v", tb.Rows[0].Mark, tb.Rows[1].Mark)
	}
}

func TestThisMachine(t *testing.T) {
	m := ThisMachine()
	if m.CPU == "" || m.Cores < 1 || m.GOMAXPROCS < 1 || !strings.HasPrefix(m.Go, "go") || m.Date.IsZero() {
		t.Errorf("%+v", m)
	}
	if rows := len(m.Table().Rows); rows < 5 {
		t.Errorf("machine table of %d rows", rows)
	}
}
