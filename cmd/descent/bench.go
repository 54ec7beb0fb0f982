package main

import (
	"context"
	"fmt"
	"io"
)

// A benchTarget is one thing "descent bench" measures. Each prints JSON lines (with --json)
// or a table, so that a run can be compared, as a ratio, against the reference scripts of
// ../shared/anchors taken in the same command.
type benchTarget struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// benchTargets is the table of "descent bench" targets.
func benchTargets() []benchTarget {
	return []benchTarget{
		{"gemm", "SGEMM GFLOP/s per shape and layout", runBenchGemm},
	}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: descent bench <target> [flags]\n\nMeasures descent's kernels and steps. Targets:\n\n")
		for _, t := range benchTargets() {
			fmt.Fprintf(w, "\t%-8s %s\n", t.name, t.summary)
		}
		fmt.Fprintf(w, "\nRun \"descent bench <target> -h\" for the flags of a target.\n")
	}
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stdout)
		return errHelp
	}
	for _, t := range benchTargets() {
		if t.name == args[0] {
			return t.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "descent bench: unknown target %q\n", args[0])
	usage(stderr)
	return errUsage
}
