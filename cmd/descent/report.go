package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

const reportDescription = `Rebuilds the report of a run folder of descent compare, train or sweep — finished,
interrupted, or still running — from its run.json and results.jsonl: summary.csv, the
plots (PNG and SVG) and report.html. Prints the summary table.`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "DIR", reportDescription, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		return usageError(fs, "want one run folder, got %d arguments", fs.NArg())
	}
	return finish(fs.Arg(0), false, stdout, stderr, nil)
}
