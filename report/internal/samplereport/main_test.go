package main

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/descent-ml/descent/report/results"
)

// TestSampleReport builds the whole sample report and checks what it wrote.
func TestSampleReport(t *testing.T) {
	dir := t.TempDir()
	fs := flag.NewFlagSet("samplereport", flag.ContinueOnError)
	fs.String("out", dir, "")
	if err := build(dir, 1, fs); err != nil {
		t.Fatal(err)
	}
	recs, err := results.ReadFile(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	runs := results.Runs(recs)
	if len(runs) != len(optimizers)*seeds {
		t.Fatalf("%d runs", len(runs))
	}
	diverged := 0
	for _, r := range runs {
		if r.Status() == results.StatusDiverged {
			diverged++
		}
	}
	if diverged != 1 {
		t.Errorf("%d diverged runs, want 1", diverged)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "summary.csv"))
	if err != nil || !strings.Contains(string(csv), "\nrmsprop,3,diverged 1/3,1,") {
		t.Errorf("summary.csv: %v\n%s", err, csv)
	}
	for _, name := range []string{"loss-vs-step", "loss-vs-time", "accuracy-vs-epoch", "lr-vs-step",
		"test-accuracy-bars", "sweep-heatmap", "claim-gd-strong-k10", "claim-gd-strong-k100"} {
		f, err := os.Open(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Error(err)
			continue
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s.png: %v", name, err)
		}
		f.Close()
		if svg, err := os.ReadFile(filepath.Join(dir, name+".svg")); err != nil || !strings.Contains(string(svg), "</svg>") {
			t.Errorf("%s.svg: %v", name, err)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := regexp.MustCompile(`data:image/png;base64,[^"]*`).ReplaceAllString(string(page), "data:")
	for _, bad := range []string{"http:", "https:", "<script", "<link", "url("} {
		if strings.Contains(html, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if n := strings.Count(html, `<img src="data:"`); n != 8 {
		t.Errorf("report.html has %d inline images, want 8", n)
	}
	for _, want := range []string{"rmsprop", "diverged 1/3 at step", "Machine", "Configuration"} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
