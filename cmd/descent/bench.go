package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/descent-ml/descent/report"
)

// modulePath is descent's module path, by which repoFile knows the repository.
const modulePath = "github.com/descent-ml/descent"

// benchTargets is the table of "descent bench" targets. Each prints JSON lines (with --json)
// or a table, to be compared, as a ratio taken in the same command, with the reference
// program of bench/ that its help names; bench/reference.py runs both alternately.
func benchTargets() []command {
	return []command{
		{"machine", "this CPU's limits: FMA peak, triad bandwidth, caches", benchMachine},
		{"gemm", "SGEMM GFLOP/s per shape and layout (reference: bench/torch_gemm.py)", runBenchGemm},
		{"conv", "convolution GFLOP/s beside SGEMM's on the same FLOPs", benchConv},
		{"optim", "time optimizer.Step (reference: bench/torch_optstep.py)", benchOptim},
		{"step", "time training iterations of a model (reference: bench/torch_train.py)", benchStep},
	}
}

const benchDescription = `Measures descent's kernels and steps. The reference programs (PyTorch, its BLAS,
SciPy) are in the repository's bench/ folder; bench/reference.py runs descent and them
alternately on the same machine and prints the ratios of the medians:

  /usr/bin/python3 bench/reference.py optim|gemm|step|epoch|rss|loader|lbfgs

See bench/README.md.`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "bench", benchDescription, benchTargets(), args, stdout, stderr)
}

// repoFile returns the path of rel, a slash-separated path inside descent's repository,
// looked for in the first folder from dir upwards whose go.mod declares descent's module.
func repoFile(dir, rel string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isDescentModule(filepath.Join(d, "go.mod")) {
			p := filepath.Join(d, filepath.FromSlash(rel))
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("descent's repository %s has no %s: %w", d, rel, err)
			}
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside descent's repository (no go.mod of %s above it), so %s is not found", dir, modulePath, rel)
		}
	}
}

// isDescentModule reports whether the go.mod file at path declares descent's module.
func isDescentModule(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(mod), `"`) == modulePath
		}
	}
	return false
}

// machineNote returns the CPU model, the count of logical CPUs and the load averages, to be
// printed beside timings, e.g. "AMD EPYC (2 CPUs), load average 0.52 0.61 0.40".
func machineNote() string {
	return fmt.Sprintf("%s (%d CPUs), load average %s", report.ThisMachine().CPU, runtime.NumCPU(), loadAverage())
}

// loadAverage returns the 1-, 5- and 15-minute load averages of /proc/loadavg, or
// "unknown" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
