package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/report"
	"github.com/descent-ml/descent/theory"
)

const theoryDescription = `Checks the lecture's claims by experiment. The claims, with their places in the
lecture, their kinds and their pass criteria, fixed before the experiments run, are the
catalogue that --list prints. Each claim runs on random instances drawn from the seed and is
judged PASS, FAIL, or ERRATUM (a claim the catalogue marks false as written: the lecture's
form fails on the counter-instance and the corrected form holds). Prints the table of claims
on stdout and writes report.html with a plot per claim; the exit status is 1 if a claim
fails or cannot run.`

func runTheory(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("theory", "[--claim ID] [--seed S] [--out DIR]", theoryDescription, stderr)
	claim := fs.String("claim", "", "run only the claims `ID`, comma-separated (see --list)")
	seed := fs.Uint64("seed", theory.DefaultSeed, "seed of the random instances")
	out := fs.String("out", "", "folder for report.html and the plots (default runs/theory-DATE-TIME); \"-\" writes none")
	list := fs.Bool("list", false, "print the catalogue of claims (Markdown) and exit")
	quick := fs.Bool("quick", false, "run the reduced sizes of the tests (seconds instead of minutes)")
	workers := fs.Int("workers", 0, "claims run at once (default: the number of cores)")
	overwrite := fs.Bool("overwrite", false, "replace the run in the --out folder, all its files, instead of refusing it")
	mnistDir := fs.String("mnist-dir", "", "folder of the four MNIST files (default: $MNIST_DIR, the cache, or fetched)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	all := theory.Catalogue()
	if *list {
		return theory.WriteCatalogue(stdout, all)
	}
	claims := all
	if *claim != "" {
		claims = nil
		for _, id := range strings.Split(*claim, ",") {
			c, err := theory.Lookup(strings.TrimSpace(id))
			if err != nil {
				fmt.Fprintf(stderr, "descent theory: %v\n", err)
				return errUsage
			}
			claims = append(claims, c)
		}
	}
	if *workers < 0 {
		fmt.Fprintf(stderr, "descent theory: --workers %d is negative\n", *workers)
		return errUsage
	}
	dir := *out
	if dir != "-" {
		// The folder is taken before the claims run: one in use, or holding another run,
		// is refused before minutes of work.
		var rd *runDir
		if dir == "" {
			rd, err = newDatedRunDir("theory")
		} else {
			rd, err = openRunDir("theory", dir, true, *overwrite)
		}
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, rd.close()) }()
		dir = rd.path
	}

	start := time.Now()
	var mu sync.Mutex
	done := 0
	cfg := theory.Config{
		Seed: *seed, Quick: *quick, Workers: *workers,
		Data: theory.NewData(mnist.Options{Dir: *mnistDir, Log: stderr}),
		Done: func(o *theory.Outcome) {
			mu.Lock()
			defer mu.Unlock()
			done++
			fmt.Fprintf(stderr, "[%2d/%d] %-24s %-7s %6.1fs\n", done, len(claims), o.Claim.ID, o.Verdict, o.Elapsed.Seconds())
		},
	}
	outs := theory.Run(ctx, claims, cfg)
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := theory.Table(outs).WriteText(stdout); err != nil {
		return err
	}
	tally := theory.Count(outs)
	fmt.Fprintf(stdout, "\n%s in %.1f s (seed %d)\n", tally, elapsed.Seconds(), *seed)
	for _, o := range outs {
		if o.Err != nil {
			fmt.Fprintf(stderr, "descent theory: %s: %v\n", o.Claim.ID, o.Err)
		}
	}
	if dir != "-" {
		page := theory.Page(outs, theory.PageConfig{Seed: *seed, Quick: *quick, Elapsed: elapsed,
			Command: "descent theory " + strings.Join(args, " ")})
		page.Add("Configuration", report.FlagTable(fs))
		m := report.ThisMachine()
		page.Machine = &m
		if err := page.WriteDir(dir); err != nil {
			var fe *report.FigureError
			if !errors.As(err, &fe) {
				return err
			}
			fmt.Fprintf(stderr, "descent theory: %v\n", err)
		}
		fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, "report.html"))
	}
	if !tally.OK() {
		var bad []string
		for _, o := range outs {
			if !o.Verdict.OK() {
				bad = append(bad, o.Claim.ID+" "+o.Verdict.String())
			}
		}
		return fmt.Errorf("theory: %d of %d claims did not pass: %s", len(bad), len(outs), strings.Join(bad, ", "))
	}
	return nil
}
