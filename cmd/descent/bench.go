package main

import (
	"context"
	"io"
)

// benchTargets is the table of "descent bench" targets. Each prints JSON lines (with --json)
// or a table, so that a run can be compared, as a ratio, against the reference scripts of
// ../shared/anchors taken in the same command.
func benchTargets() []command {
	return []command{
		{"machine", "this CPU's limits: FMA peak, triad bandwidth, caches", benchMachine},
		{"gemm", "SGEMM GFLOP/s per shape and layout", runBenchGemm},
		{"conv", "convolution GFLOP/s beside SGEMM's on the same FLOPs", benchConv},
		{"optim", "time optimizer.Step against torch_optstep.py", benchOptim},
		{"step", "time training iterations of a model against torch_train.py", benchStep},
	}
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "bench", "Measures descent's kernels and steps.", benchTargets(), args, stdout, stderr)
}
