package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/internal/atomicfile"
	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
	"github.com/descent-ml/descent/report"
)

// minimizeFlags are the flags of "descent minimize".
type minimizeFlags struct {
	problem, method string
	// problem parameters
	dim, k, samples, rank, trainSize int
	kappa, lambda, noise             float64
	seed                             uint64
	x0                               string
	data                             dataFlags
	// method parameters
	step, momentum float64
	memory         int
	// stopping
	gtol, ftol        float64
	maxIter, maxEvals int
	// output
	every   int
	asJSON  bool
	plot    string
	threads int
	// the memory limit, 0 for the machine's available memory
	maxMemory byteSize
	// SciPy reference
	scipy               bool
	scipyScript, python string
	repeat              int
}

// A minimizeProblem builds the objective named by --problem and its default start.
type minimizeProblem struct {
	name, summary string
	build         func(ctx context.Context, f *minimizeFlags, log io.Writer) (minimize.Objective, []float64, error)
}

func minimizeProblems() []minimizeProblem {
	zeros := func(p minimize.Objective) []float64 { return make([]float64, p.Dim()) }
	return []minimizeProblem{
		{"quadratic", "½(x − x*)ᵀH(x − x*), H of condition --kappa rotated at random (--dim, --seed), from 0",
			func(_ context.Context, f *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				p := problem.RandomQuadratic(rand.New(rand.NewPCG(f.seed, 0)), problem.LogSpectrum(f.dim, 1, f.kappa))
				return p, zeros(p), nil
			}},
		{"leastsquares", "(1/2n)‖Xw − b‖², Gaussian X of --samples × --dim and --rank, --noise, from 0",
			func(_ context.Context, f *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				rank := f.rank
				if rank == 0 {
					rank = min(f.samples, f.dim)
				}
				if rank < 1 || rank > min(f.samples, f.dim) {
					return nil, nil, fmt.Errorf("minimize: --rank %d outside [1, min(--samples, --dim)]", rank)
				}
				p := problem.RandomLeastSquares(rand.New(rand.NewPCG(f.seed, 0)), f.samples, f.dim, rank, f.noise)
				return p, zeros(p), nil
			}},
		{"logistic", "MNIST even (+1) vs odd (−1), L2 logistic regression, x = pixels/255, --lambda, from 0",
			func(ctx context.Context, f *minimizeFlags, log io.Writer) (minimize.Objective, []float64, error) {
				images, labels, err := loadMNIST(ctx, f, log)
				if err != nil {
					return nil, nil, err
				}
				p := problem.MNISTEvenOdd(images, labels, f.lambda)
				return p, zeros(p), nil
			}},
		{"multinomial", "MNIST ten digits, L2 softmax regression (7840 weights), --lambda, from 0",
			func(ctx context.Context, f *minimizeFlags, log io.Writer) (minimize.Objective, []float64, error) {
				images, labels, err := loadMNIST(ctx, f, log)
				if err != nil {
					return nil, nil, err
				}
				p := problem.MNISTMultinomial(images, labels, f.lambda)
				return p, zeros(p), nil
			}},
		{"worstcase", "Nesterov's worst convex function f_k on ℝ^dim (--dim, --k, L = 1), from 0",
			func(_ context.Context, f *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				k := f.k
				if k == 0 {
					k = f.dim
				}
				if k < 1 || k > f.dim {
					return nil, nil, fmt.Errorf("minimize: --k %d outside [1, --dim]", k)
				}
				p := problem.NewWorstCase(f.dim, k, 1)
				return p, zeros(p), nil
			}},
		{"worstcase-strong", "Nesterov's worst strongly convex function (--dim, μ = 1, L = --kappa), from 0",
			func(_ context.Context, f *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				if !(f.kappa > 1) {
					return nil, nil, errors.New("minimize: worstcase-strong needs --kappa > 1")
				}
				p := problem.NewWorstCaseStrong(f.dim, f.kappa, 1)
				return p, zeros(p), nil
			}},
		{"rosenbrock", "Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² (--dim), from (−1.2, 1, −1.2, 1, …)",
			func(_ context.Context, f *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				if f.dim < 2 {
					return nil, nil, errors.New("minimize: rosenbrock needs --dim ≥ 2")
				}
				p := problem.NewRosenbrock(f.dim)
				x0 := make([]float64, f.dim)
				for i := range x0 {
					x0[i] = 1
					if i%2 == 0 {
						x0[i] = -1.2
					}
				}
				return p, x0, nil
			}},
		{"lecture", "the lecture's F(x) = log(1 + e⁻ˣ) + 0.05x² (μ = 0.1, L = 0.35), from 3",
			func(_ context.Context, _ *minimizeFlags, _ io.Writer) (minimize.Objective, []float64, error) {
				return problem.LectureExample(), []float64{3}, nil
			}},
	}
}

// A minimizeMethod builds the method named by --method.
type minimizeMethod struct {
	name, summary string
	build         func(f *minimizeFlags) minimize.Method
}

func minimizeMethods() []minimizeMethod {
	armijo := &minimize.Backtracking{}
	return []minimizeMethod{
		{"gd", "gradient descent, step --step (default 1/L)", func(f *minimizeFlags) minimize.Method {
			return &minimize.GradientDescent{Step: f.step}
		}},
		{"gd-armijo", "gradient descent with Armijo backtracking from --step (default 1/L or 1)", func(f *minimizeFlags) minimize.Method {
			return &minimize.GradientDescent{Step: f.step, Backtracking: armijo}
		}},
		{"nesterov", "Nesterov's accelerated gradient as the lecture writes it, step --step (default 1/L)", func(f *minimizeFlags) minimize.Method {
			return &minimize.Nesterov{Step: f.step}
		}},
		{"nesterov-strong", "Nesterov for strongly convex f: momentum (√κ−1)/(√κ+1) (or --momentum), step 1/L", func(f *minimizeFlags) minimize.Method {
			return &minimize.NesterovStrong{Step: f.step, Momentum: f.momentum}
		}},
		{"heavyball", "Polyak's heavy ball: --step and --momentum, default the optimal pair from L and μ", func(f *minimizeFlags) minimize.Method {
			return &minimize.HeavyBall{Step: f.step, Momentum: f.momentum}
		}},
		{"newton", "pure Newton with the exact Hessian (Cholesky, else LU), step --step (default 1)", func(f *minimizeFlags) minimize.Method {
			return &minimize.Newton{Step: f.step}
		}},
		{"newton-damped", "Newton with Armijo backtracking from 1", func(*minimizeFlags) minimize.Method {
			return &minimize.Newton{Backtracking: armijo}
		}},
		{"newton-cg", "truncated Newton: CG on Hessian-vector products, step --step (default 1)", func(f *minimizeFlags) minimize.Method {
			return &minimize.NewtonCG{Step: f.step}
		}},
		{"newton-cg-damped", "truncated Newton with Armijo backtracking from 1", func(*minimizeFlags) minimize.Method {
			return &minimize.NewtonCG{Backtracking: armijo}
		}},
		{"lbfgs", "L-BFGS (torch's, strong Wolfe), --memory pairs", func(f *minimizeFlags) minimize.Method {
			return &minimize.LBFGS{Memory: f.memory}
		}},
	}
}

func minimizeDescription() string {
	var b strings.Builder
	b.WriteString("Minimises a problem with a deterministic method and prints its trace: f, f − f*, ‖∇f‖,\n‖θ − θ*‖ (where θ* is known), the step, the evaluations and the time, per iteration.\nThe table comes at the end; meanwhile each iteration that ends 5 s or more after the last\nsuch line (or the start) prints its f and ‖∇f‖ on stderr (Newton's method on the\nmultinomial problem takes over a minute an iteration).\n\nProblems:\n")
	for _, p := range minimizeProblems() {
		fmt.Fprintf(&b, "  %-17s %s\n", p.name, p.summary)
	}
	b.WriteString("\nMethods:\n")
	for _, m := range minimizeMethods() {
		fmt.Fprintf(&b, "  %-17s %s\n", m.name, m.summary)
	}
	b.WriteString("\nWith --scipy, --problem logistic --method lbfgs also runs SciPy's L-BFGS-B on the same\nproblem in the same command, alternately --repeat times, and prints the ratio of the times.\nSciPy's side is the repository's bench/scipy_lbfgs.py (found from the current folder\nupwards, or given by --scipy-script), run with --python. The MNIST problems read the data\nas \"descent data\" does:\n" + dataSources)
	return b.String()
}

func runMinimize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f minimizeFlags
	fs := newFlagSet("minimize", "--problem NAME --method NAME [flags]", minimizeDescription(), stderr)
	fs.StringVar(&f.problem, "problem", "", "problem (see above)")
	fs.StringVar(&f.method, "method", "", "method (see above)")
	fs.IntVar(&f.dim, "dim", 100, "dimension of quadratic, leastsquares, worstcase, worstcase-strong, rosenbrock")
	fs.IntVar(&f.k, "k", 0, "worstcase: number of coupled coordinates (default --dim)")
	fs.IntVar(&f.samples, "samples", 200, "leastsquares: number of samples")
	fs.IntVar(&f.rank, "rank", 0, "leastsquares: rank of X (default min(--samples, --dim))")
	fs.Float64Var(&f.noise, "noise", 0.1, "leastsquares: standard deviation of the noise on b")
	fs.Float64Var(&f.kappa, "kappa", 100, "quadratic, worstcase-strong: condition number L/μ")
	fs.Float64Var(&f.lambda, "lambda", 1e-3, "logistic, multinomial: L2 weight λ")
	fs.IntVar(&f.trainSize, "train-size", 0, "logistic, multinomial: use the first N training images (default all)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the random problems")
	fs.StringVar(&f.x0, "x0", "", "starting point: comma-separated values, or one value for every coordinate (default per problem)")
	f.data.register(fs)
	fs.Float64Var(&f.step, "step", 0, "step size γ (default per method)")
	fs.Float64Var(&f.momentum, "momentum", 0, "momentum β (heavyball, nesterov-strong; default per method)")
	fs.IntVar(&f.memory, "memory", 10, "lbfgs: number of curvature pairs")
	fs.Float64Var(&f.gtol, "gtol", 1e-8, "stop once ‖∇f‖₂ ≤ gtol (negative: never)")
	fs.Float64Var(&f.ftol, "ftol", 0, "stop once |Δf| ≤ ftol·max(|f|, 1) (0: never)")
	fs.IntVar(&f.maxIter, "maxiter", 1000, "stop after this many iterations (negative: no limit)")
	fs.IntVar(&f.maxEvals, "maxevals", 0, "stop after this many evaluations of f (0: no limit)")
	fs.IntVar(&f.every, "every", 0, "print every N-th iteration (default: about 40 lines)")
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON object with the whole trace")
	fs.StringVar(&f.plot, "plot", "", "draw f − f* (or ‖∇f‖) against iterations to this .png or .svg file")
	fs.Var(&f.maxMemory, "max-memory", "refuse a problem that needs more than this memory, such as 4GiB (default: the memory available, MemAvailable of /proc/meminfo)")
	fs.IntVar(&f.threads, "threads", 0, "cores for the evaluations, and SciPy's BLAS threads with --scipy (default all)")
	fs.BoolVar(&f.scipy, "scipy", false, "also run SciPy's L-BFGS-B on the same problem, alternately, and compare the times")
	fs.StringVar(&f.scipyScript, "scipy-script", "", "SciPy's side for --scipy (default: bench/scipy_lbfgs.py of the repository holding the current folder)")
	fs.StringVar(&f.python, "python", "/usr/bin/python3", "Python for --scipy")
	fs.IntVar(&f.repeat, "repeat", 1, "with --scipy: runs of each, alternated; the median ratio is reported")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	bad := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "descent minimize: "+format+"\n", a...)
		fs.Usage()
		return errUsage
	}
	pi := slices.IndexFunc(minimizeProblems(), func(p minimizeProblem) bool { return p.name == f.problem })
	mi := slices.IndexFunc(minimizeMethods(), func(m minimizeMethod) bool { return m.name == f.method })
	switch {
	case f.problem == "":
		return bad("--problem is required")
	case pi < 0:
		return bad("unknown problem %q", f.problem)
	case f.method == "":
		return bad("--method is required")
	case mi < 0:
		return bad("unknown method %q", f.method)
	case f.dim < 1:
		return bad("--dim must be positive")
	case f.samples < 1:
		return bad("--samples must be positive")
	case !(f.kappa >= 1):
		return bad("--kappa must be at least 1")
	case f.lambda < 0:
		return bad("--lambda must not be negative")
	case f.step < 0 || f.momentum < 0 || f.momentum >= 1:
		return bad("--step must not be negative and --momentum must be in [0, 1)")
	case f.memory < 1:
		return bad("--memory must be positive")
	case f.threads < 0 || f.repeat < 1 || f.every < 0 || f.trainSize < 0:
		return bad("--threads, --every and --train-size must not be negative, --repeat must be positive")
	case f.scipy && (f.problem != "logistic" || f.method != "lbfgs"):
		return bad("--scipy compares --problem logistic --method lbfgs only")
	case f.scipyScript != "" && !f.scipy:
		return bad("--scipy-script is for --scipy")
	case f.scipy && f.x0 != "":
		return bad("--scipy starts both sides from 0: no --x0")
	}
	if f.scipy && f.scipyScript == "" {
		wd, err := os.Getwd()
		if err == nil {
			f.scipyScript, err = repoFile(wd, "bench/scipy_lbfgs.py")
		}
		if err != nil {
			return fmt.Errorf("minimize: --scipy: %v; run from the repository or give --scipy-script", err)
		}
	}
	need, what := minimizeMemory(&f)
	if err := checkMemory(what, need, &f.maxMemory); err != nil {
		return fmt.Errorf("minimize: %w", err)
	}
	if f.threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(f.threads))
	}
	obj, x0, err := minimizeProblems()[pi].build(ctx, &f, stderr)
	if err != nil {
		return err
	}
	if f.x0 != "" {
		if x0, err = parseStart(f.x0, obj.Dim()); err != nil {
			return bad("%v", err)
		}
	}
	settings := minimize.Settings{GradTol: f.gtol, FuncTol: f.ftol, MaxIter: f.maxIter, MaxEvals: f.maxEvals}
	if f.scipy {
		return compareSciPy(ctx, &f, obj, x0, settings, stdout, stderr)
	}
	var xs [][]float64 // the iterates of small problems, for the table
	keepX := obj.Dim() <= 4 && !f.asJSON
	progress := minimizeProgress{w: stderr, every: minimizeProgressEvery, last: time.Now()}
	settings.Callback = func(r minimize.Record, x []float64) bool {
		if keepX {
			xs = append(xs, slices.Clone(x))
		}
		progress.report(r)
		return false
	}
	res, runErr := minimize.Minimize(ctx, obj, x0, minimizeMethods()[mi].build(&f), settings)
	if res == nil {
		return runErr
	}
	if f.plot != "" {
		if err := plotTrace(f.plot, &f, obj, res); err != nil {
			return err
		}
	}
	if f.asJSON {
		if err := json.NewEncoder(stdout).Encode(traceJSON(&f, obj, res, runErr)); err != nil {
			return err
		}
	} else if err := printTrace(stdout, &f, obj, res, xs); err != nil {
		return err
	}
	return runErr
}

// minimizeProgressEvery is how long a run goes before its progress is printed: the table
// comes at the end, and an iteration of Newton's method on the multinomial problem takes
// over a minute.
var minimizeProgressEvery = 5 * time.Second

// minimizeProgress prints a line on w after each iteration that ends at least every after
// the last line (or the start): a long run shows that it moves, and how fast.
type minimizeProgress struct {
	w     io.Writer
	every time.Duration
	last  time.Time
}

func (p *minimizeProgress) report(r minimize.Record) {
	if now := time.Now(); r.Iter > 0 && now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "minimize: iteration %d, f = %.12g, ‖∇f‖ = %.3e, %d evaluations, %.1f s\n", r.Iter, r.F, r.GradNorm, r.Evals, r.Time.Seconds())
	}
}

// parseStart parses --x0: d comma-separated values, or one for every coordinate.
func parseStart(s string, d int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 1 && len(parts) != d {
		return nil, fmt.Errorf("--x0 has %d values, want 1 or %d", len(parts), d)
	}
	x := make([]float64, d)
	for i := range x {
		s := strings.TrimSpace(parts[min(i, len(parts)-1)])
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("--x0: %q is not a finite number", s)
		}
		x[i] = v
	}
	return x, nil
}

// loadMNIST loads the training images and labels, the first --train-size of them.
func loadMNIST(ctx context.Context, f *minimizeFlags, log io.Writer) (images, labels []uint8, err error) {
	spec, opts, err := f.data.resolve(log)
	if err != nil {
		return nil, nil, err
	}
	d, err := mnist.Load(ctx, spec, opts)
	if err != nil {
		return nil, nil, err
	}
	f.data.dir = d.Dir // for --scipy
	n := d.Train.Len()
	if f.trainSize > 0 {
		if f.trainSize > n {
			return nil, nil, fmt.Errorf("minimize: --train-size %d is more than the %d training images", f.trainSize, n)
		}
		n = f.trainSize
	}
	px := d.Train.Rows * d.Train.Cols
	if px != problem.MNISTPixels {
		return nil, nil, fmt.Errorf("minimize: images of %d pixels, want %d", px, problem.MNISTPixels)
	}
	return d.Train.Images[:n*px], d.Train.Labels[:n], nil
}

// optimum returns f* when the objective knows it.
func optimum(obj minimize.Objective) (float64, bool) {
	if o, ok := obj.(minimize.Optimumer); ok {
		_, fs := o.Optimum()
		return fs, true
	}
	return 0, false
}

// printEvery returns the stride of the printed iterations.
func printEvery(f *minimizeFlags, res *minimize.Result) int {
	if f.every > 0 {
		return f.every
	}
	return max(1, res.Last.Iter/40)
}

// printTrace prints the trace as a table, with the iterates xs (indexed by iteration)
// when they are given.
func printTrace(w io.Writer, f *minimizeFlags, obj minimize.Objective, res *minimize.Result, xs [][]float64) error {
	fstar, knowF := optimum(obj)
	fmt.Fprintf(w, "problem %s (dimension %d), method %s", f.problem, obj.Dim(), f.method)
	if s, ok := obj.(minimize.Smoother); ok {
		fmt.Fprintf(w, ", L = %.6g", s.Smoothness())
	}
	if s, ok := obj.(minimize.StronglyConvex); ok {
		fmt.Fprintf(w, ", μ = %.6g", s.StrongConvexity())
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "iter\tf\t"
	if knowF {
		head += "f − f*\t"
	}
	head += "‖∇f‖\t"
	knowX := !math.IsNaN(res.Last.Dist)
	if knowX {
		head += "‖θ − θ*‖\t"
	}
	head += "step\tevals\ttime (s)\t"
	showX := len(xs) > res.Last.Iter
	if showX {
		head += "θ\t"
	}
	fmt.Fprintln(tw, head)
	every := printEvery(f, res)
	for i, r := range res.Trace {
		if r.Iter%every != 0 && i != len(res.Trace)-1 {
			continue
		}
		line := fmt.Sprintf("%d\t%.12g\t", r.Iter, r.F)
		if knowF {
			line += fmt.Sprintf("%.3e\t", r.F-fstar)
		}
		line += fmt.Sprintf("%.3e\t", r.GradNorm)
		if knowX {
			line += fmt.Sprintf("%.3e\t", r.Dist)
		}
		line += fmt.Sprintf("%.3g\t%d\t%.3f\t", r.Step, r.Evals, r.Time.Seconds())
		if showX {
			line += fmt.Sprintf("(%s)\t", fmtVec(xs[r.Iter]))
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	l := res.Last
	_, err := fmt.Fprintf(w, "%s after %d iterations, %d evaluations (%d with gradient, %d Hessian-vector products, %d Hessians), %.3f s: f = %.15g, ‖∇f‖ = %.3e\n",
		res.Status, l.Iter, l.Evals, l.GradEvals, l.HessVecs, l.Hessians, l.Time.Seconds(), res.F, l.GradNorm)
	return err
}

// recordJSON is one trace record in --json output; Dist is absent when θ* is unknown.
type recordJSON struct {
	Iter      int      `json:"iter"`
	F         float64  `json:"f"`
	GradNorm  float64  `json:"grad_norm"`
	Dist      *float64 `json:"dist,omitempty"`
	Step      float64  `json:"step"`
	Evals     int      `json:"evals"`
	GradEvals int      `json:"grad_evals"`
	HessVecs  int      `json:"hess_vecs"`
	Hessians  int      `json:"hessians"`
	Seconds   float64  `json:"seconds"`
}

type minimizeJSON struct {
	Problem string       `json:"problem"`
	Method  string       `json:"method"`
	Dim     int          `json:"dim"`
	L       *float64     `json:"L,omitempty"`
	Mu      *float64     `json:"mu,omitempty"`
	FStar   *float64     `json:"f_star,omitempty"`
	Status  string       `json:"status"`
	Error   string       `json:"error,omitempty"`
	Last    recordJSON   `json:"last"`
	Trace   []recordJSON `json:"trace"`
}

func toRecordJSON(r minimize.Record) recordJSON {
	j := recordJSON{Iter: r.Iter, F: r.F, GradNorm: r.GradNorm, Step: r.Step, Evals: r.Evals,
		GradEvals: r.GradEvals, HessVecs: r.HessVecs, Hessians: r.Hessians, Seconds: r.Time.Seconds()}
	if !math.IsNaN(r.Dist) {
		j.Dist = &r.Dist
	}
	return j
}

func traceJSON(f *minimizeFlags, obj minimize.Objective, res *minimize.Result, runErr error) minimizeJSON {
	out := minimizeJSON{Problem: f.problem, Method: f.method, Dim: obj.Dim(), Status: res.Status.String(), Last: toRecordJSON(res.Last)}
	if s, ok := obj.(minimize.Smoother); ok {
		l := s.Smoothness()
		out.L = &l
	}
	if s, ok := obj.(minimize.StronglyConvex); ok {
		mu := s.StrongConvexity()
		out.Mu = &mu
	}
	if fs, ok := optimum(obj); ok {
		out.FStar = &fs
	}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	every := 1
	if f.every > 0 {
		every = f.every
	}
	for i, r := range res.Trace {
		if r.Iter%every == 0 || i == len(res.Trace)-1 {
			out.Trace = append(out.Trace, toRecordJSON(r))
		}
	}
	return out
}

// plotTrace draws f − f* (or ‖∇f‖ when f* is unknown) against iterations, log scale.
func plotTrace(path string, f *minimizeFlags, obj minimize.Objective, res *minimize.Result) error {
	fstar, knowF := optimum(obj)
	ylabel := "‖∇f(θ)‖"
	if knowF {
		ylabel = "f(θ) − f*"
	}
	var run report.Run
	for _, r := range res.Trace {
		y := r.GradNorm
		if knowF {
			y = r.F - fstar
		}
		run.X, run.Y = append(run.X, float64(r.Iter)), append(run.Y, y)
	}
	lp := &report.LinePlot{Title: fmt.Sprintf("%s on %s", f.method, f.problem), X: report.Iterations,
		YLabel: ylabel, LogY: true, Series: []report.Series{{Label: f.method, Runs: []report.Run{run}}}}
	var buf bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		err = report.WritePNG(&buf, lp)
	case ".svg":
		err = report.WriteSVG(&buf, lp)
	default:
		return fmt.Errorf("minimize: --plot %q: want a .png or .svg file", path)
	}
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}

// scipyResult is the JSON line of bench/scipy_lbfgs.py.
type scipyResult struct {
	Impl        string  `json:"impl"`
	Seconds     float64 `json:"seconds"`
	Iterations  int     `json:"iterations"`
	Evaluations int     `json:"evaluations"`
	F           float64 `json:"f"`
	GradNorm    float64 `json:"grad_norm"`
	Threads     int     `json:"threads"`
	BLAS        string  `json:"blas"`
	BLASCore    string  `json:"blas_core"`
	Coretype    string  `json:"openblas_coretype"`
}

// compareSciPy runs descent's L-BFGS and SciPy's L-BFGS-B alternately --repeat times on
// MNIST even vs odd and prints each run and the median ratio of their times.
func compareSciPy(ctx context.Context, f *minimizeFlags, obj minimize.Objective, x0 []float64, s minimize.Settings, stdout, stderr io.Writer) error {
	threads := f.threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	images := "all training images"
	if f.trainSize > 0 {
		images = fmt.Sprintf("the first %d training images", f.trainSize)
	}
	fmt.Fprintf(stdout, "L-BFGS on MNIST even vs odd (%s), λ = %g, from 0, %d pairs; descent on %d cores (GOMAXPROCS), SciPy (%s) on %d BLAS threads\n",
		images, f.lambda, f.memory, runtime.GOMAXPROCS(0), f.scipyScript, threads)
	fmt.Fprintf(stdout, "descent stops at ‖∇f‖₂ ≤ %g; SciPy at max|∇f| ≤ %g (gtol, a weaker test)\n", s.GradTol, s.GradTol)
	fmt.Fprintf(stdout, "CPU: %s at the start\n\n", machineNote())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\timpl\tseconds\titerations\tevaluations\tf\t‖∇f‖₂\t")
	var ratios []float64
	var last *minimize.Result
	var sp scipyResult
	for k := 1; k <= f.repeat; k++ {
		res, err := minimize.Minimize(ctx, obj, x0, &minimize.LBFGS{Memory: f.memory}, s)
		if err != nil {
			return err
		}
		last = res
		fmt.Fprintf(tw, "%d\tdescent\t%.3f\t%d\t%d\t%.15g\t%.3e\t\n", k, res.Last.Time.Seconds(), res.Last.Iter, res.Last.Evals, res.F, res.Last.GradNorm)
		if sp, err = runSciPy(ctx, f, threads, s); err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\tscipy\t%.3f\t%d\t%d\t%.15g\t%.3e\t\n", k, sp.Seconds, sp.Iterations, sp.Evaluations, sp.F, sp.GradNorm)
		ratios = append(ratios, res.Last.Time.Seconds()/sp.Seconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	slices.Sort(ratios)
	med := ratios[len(ratios)/2]
	if len(ratios)%2 == 0 {
		med = (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
	}
	_, err := fmt.Fprintf(stdout, "\ntime ratio descent/SciPy: median %.3f over %d runs (each %s)\nf: descent %.15g, SciPy %.15g, relative difference %.2e\n"+
		"SciPy: %s, BLAS %s running %s kernels (OPENBLAS_CORETYPE=%s)\nCPU: %s at the end\n",
		med, len(ratios), fmtRatios(ratios), last.F, sp.F, math.Abs(last.F-sp.F)/math.Abs(sp.F),
		sp.Impl, orUnknown(sp.BLAS), orUnknown(sp.BLASCore), orUnknown(sp.Coretype), machineNote())
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func fmtVec(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprintf("%.5f", v)
	}
	return strings.Join(s, ", ")
}

func fmtRatios(r []float64) string {
	s := make([]string, len(r))
	for i, v := range r {
		s[i] = fmt.Sprintf("%.3f", v)
	}
	return strings.Join(s, ", ")
}

// runSciPy runs bench/scipy_lbfgs.py (f.scipyScript) once on the problem of f, stopping
// as s says, and returns its JSON line. The script pins its BLAS threads to threads.
func runSciPy(ctx context.Context, f *minimizeFlags, threads int, s minimize.Settings) (scipyResult, error) {
	args := []string{f.scipyScript, "--lam", fmt.Sprint(f.lambda), "--gtol", fmt.Sprint(s.GradTol), "--memory", fmt.Sprint(f.memory),
		"--threads", fmt.Sprint(threads), "--mnist-dir", f.data.dir, "--train-size", fmt.Sprint(f.trainSize)}
	if s.MaxIter > 0 {
		args = append(args, "--maxiter", fmt.Sprint(s.MaxIter))
	}
	cmd := exec.CommandContext(ctx, f.python, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return scipyResult{}, fmt.Errorf("minimize: running %s %s: %v\n%s", f.python, f.scipyScript, err, errOut.String())
	}
	var r scipyResult
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return r, fmt.Errorf("minimize: SciPy's output after %v is not its JSON line: %v", time.Since(start).Round(time.Millisecond), err)
	}
	return r, nil
}
