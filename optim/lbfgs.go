package optim

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/internal/lbfgs"
)

// LBFGSConfig is the configuration of [LBFGS]. Its zero value is torch's default (no line
// search); each zero field takes the default written on it.
type LBFGSConfig struct {
	LR              float64 // step scale; if 0, 1
	MaxIter         int     // iterations per Step; if 0, 20
	MaxEval         int     // evaluations per Step; if 0, MaxIter·5/4
	ToleranceGrad   float64 // stop when max|g| ≤ it; if 0, 1e-7 (negative disables)
	ToleranceChange float64 // stop when a step or the loss changes less; if 0, 1e-9 (negative disables)
	HistorySize     int     // curvature pairs kept; if 0, 100
	StrongWolfe     bool    // torch's line_search_fn="strong_wolfe"; otherwise a fixed step
}

func (c LBFGSConfig) settings() lbfgs.Settings {
	s := lbfgs.Settings{LR: c.LR, MaxIter: c.MaxIter, MaxEval: c.MaxEval, ToleranceGrad: c.ToleranceGrad,
		ToleranceChange: c.ToleranceChange, HistorySize: c.HistorySize}
	if c.StrongWolfe {
		s.LineSearch = lbfgs.StrongWolfe
	}
	return s
}

// LBFGS is the limited-memory BFGS method (Nocedal, "Updating Quasi-Newton Matrices with
// Limited Storage", Math. Comp. 1980; Liu and Nocedal, Math. Prog. 1989), torch.optim.LBFGS,
// over float32 parameters seen as one flat vector x. Each iteration computes
//
//	d_k = -H_k g_k        (two-loop recursion over the last m pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i,
//	                       H_0 = s'y/y'y of the newest pair; a pair is kept when s'y > 1e-10)
//	x_{k+1} = x_k + t_k d_k
//
// with t_k = LR (t_0 = min(1, 1/‖g_0‖₁)·LR), or, with StrongWolfe, a step satisfying
// f(x+td) ≤ f(x) + 10⁻⁴ t g'd and |g(x+td)'d| ≤ 0.9 |g'd| found by torch's bracketing and
// cubic-interpolation zoom (Nocedal and Wright, Numerical Optimization, algorithms 3.5, 3.6,
// 7.4). One Step runs up to MaxIter iterations and stops early by torch's rules; see package
// internal/lbfgs, which implements it operation by operation, summing its dot products in the
// order of torch's BLAS (bit-identical to torch 1.13 on the Rosenbrock tests and the parity
// fixture).
//
// Like torch's, it needs a closure that re-evaluates loss and gradients: pass it to
// [LBFGS.StepWith], or set it once with [LBFGS.SetClosure] so that [LBFGS.Step] works as
// the [Optimizer] interface expects. It has one parameter group. A parameter with a nil
// gradient counts as a zero gradient, as in torch.
//
// Each evaluation copies x into the parameters' values and gathers their gradients. On an
// error (from the closure, or a non-finite loss or gradient: a [*NonFiniteError], whose
// Index is -1 for the loss) the parameters are put back to the last accepted iterate: an
// error in the first iteration of a Step leaves them untouched.
type LBFGS struct {
	cfg     LBFGSConfig
	params  []*Param
	m       *lbfgs.Minimizer[float32]
	x       []float32 // the parameters, flat
	closure Closure
	obj     lbfgs.Objective[float32]
	steps   int64 // Step calls
	evalErr error
}

var _ Optimizer = (*LBFGS)(nil)
var _ ClosureStepper = (*LBFGS)(nil)

// NewLBFGS returns L-BFGS over params (one group) with configuration cfg.
func NewLBFGS(params []*Param, cfg LBFGSConfig) (*LBFGS, error) {
	if err := checkParams("lbfgs", nil, params); err != nil {
		return nil, err
	}
	n := 0
	for _, p := range params {
		n += len(p.Value)
	}
	m, err := lbfgs.New[float32](n, cfg.settings())
	if err != nil {
		return nil, fmt.Errorf("optim: %w", err)
	}
	o := &LBFGS{cfg: cfg, params: slices.Clone(params), m: m, x: make([]float32, n)}
	o.obj = o.evaluate
	return o, nil
}

// SetClosure sets the closure that Step evaluates.
func (o *LBFGS) SetClosure(c Closure) { o.closure = c }

// Step runs one torch LBFGS.step with the closure set by SetClosure.
func (o *LBFGS) Step() error {
	if o.closure == nil {
		return errors.New("optim: lbfgs: Step needs a closure: call SetClosure first, or use StepWith")
	}
	_, err := o.StepWith(o.closure)
	return err
}

// StepWith runs one torch LBFGS.step(closure): up to MaxIter iterations. It returns the loss
// at the parameters on entry, as torch does.
func (o *LBFGS) StepWith(closure Closure) (float64, error) {
	o.steps++
	off := 0
	for _, p := range o.params {
		off += copy(o.x[off:], p.Value)
	}
	o.closure, o.evalErr = closure, nil
	res, err := o.m.Step(o.x, o.obj, nil)
	o.scatter(o.x) // the accepted iterate, also after an error
	if err != nil {
		if o.evalErr != nil {
			return res.Loss, o.evalErr
		}
		var nf *NonFiniteError
		if errors.As(err, &nf) && nf.Index < 0 {
			return res.Loss, &NonFiniteError{Op: "optim: lbfgs", Index: -1, Value: nf.Value, Step: o.steps}
		}
		return res.Loss, fmt.Errorf("optim: %w", err)
	}
	return res.Loss, nil
}

// evaluate is the objective of the minimiser: the closure at x.
func (o *LBFGS) evaluate(x, grad []float32) (float64, error) {
	o.scatter(x)
	loss, err := o.closure()
	if err != nil {
		o.evalErr = err
		return loss, err
	}
	off := 0
	for _, p := range o.params {
		n := len(p.Value)
		if p.Grad == nil {
			clear(grad[off : off+n])
		} else {
			for j, v := range p.Grad[:n] {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					o.evalErr = &NonFiniteError{Op: "optim: lbfgs", Param: p.Name, Index: j, Value: float64(v), Step: o.steps}
					return loss, o.evalErr
				}
			}
			copy(grad[off:], p.Grad)
		}
		off += n
	}
	return loss, nil
}

func (o *LBFGS) scatter(x []float32) {
	off := 0
	for _, p := range o.params {
		off += copy(p.Value, x[off:])
	}
}

// ZeroGrad sets every gradient to zero.
func (o *LBFGS) ZeroGrad() {
	for _, p := range o.params {
		clear(p.Grad)
	}
}

// NumGroups returns 1: torch's LBFGS has one parameter group.
func (o *LBFGS) NumGroups() int { return 1 }

// LR returns the step scale (group g must be 0).
func (o *LBFGS) LR(g int) float64 {
	o.checkGroup(g)
	return o.m.Settings().LR
}

// SetLR sets the step scale (group g must be 0); it panics if lr is not positive.
func (o *LBFGS) SetLR(g int, lr float64) {
	o.checkGroup(g)
	o.m.SetLR(lr)
	o.cfg.LR = lr
}

func (o *LBFGS) checkGroup(g int) {
	if g != 0 {
		panic(fmt.Sprintf("optim: lbfgs: group %d out of range [0, 1)", g))
	}
}

var lbfgsKeys = []key[LBFGSConfig]{
	floatKey("lr", "step scale", func(c *LBFGSConfig) *float64 { return &c.LR }),
	intKey("max_iter", "iterations per step", func(c *LBFGSConfig) *int { return &c.MaxIter }),
	intKey("max_eval", "evaluations per step (0: max_iter*5/4)", func(c *LBFGSConfig) *int { return &c.MaxEval }),
	floatKey("tolerance_grad", "stop when max|g| is below", func(c *LBFGSConfig) *float64 { return &c.ToleranceGrad }),
	floatKey("tolerance_change", "stop when steps or the loss change less", func(c *LBFGSConfig) *float64 { return &c.ToleranceChange }),
	intKey("history_size", "curvature pairs kept", func(c *LBFGSConfig) *int { return &c.HistorySize }),
	{"line_search_fn", "none or strong_wolfe",
		func(c *LBFGSConfig) string {
			if c.StrongWolfe {
				return "strong_wolfe"
			}
			return "none"
		},
		func(c *LBFGSConfig, v string) error {
			switch v {
			case "none":
				c.StrongWolfe = false
			case "strong_wolfe":
				c.StrongWolfe = true
			default:
				return fmt.Errorf("want none or strong_wolfe, got %q", v)
			}
			return nil
		}},
}

func defaultLBFGS() LBFGSConfig {
	return LBFGSConfig{LR: 1, MaxIter: 20, ToleranceGrad: 1e-7, ToleranceChange: 1e-9, HistorySize: 100}
}

func lbfgsEntry() Entry {
	def := defaultLBFGS()
	return Entry{Name: "lbfgs", Summary: "L-BFGS (needs a closure; one group)", Keys: describe(lbfgsKeys, &def),
		New: func(opts Options, groups ...Group) (Optimizer, error) {
			if len(groups) != 1 {
				return nil, fmt.Errorf("optim: lbfgs: %d parameter groups; torch's LBFGS supports one", len(groups))
			}
			cfg := def
			if err := apply("lbfgs", lbfgsKeys, &cfg, opts); err != nil {
				return nil, err
			}
			if err := apply("lbfgs", lbfgsKeys, &cfg, groups[0].Options); err != nil {
				return nil, err
			}
			return NewLBFGS(groups[0].Params, cfg)
		}}
}

// Save writes the L-BFGS state (see "State files" in the package documentation): the
// options, the counters and scalars as globals, and each parameter's slice of the flat
// direction, previous gradient and curvature pairs.
func (o *LBFGS) Save(w io.Writer) error {
	st := o.m.State()
	f := &stateFile{kind: "lbfgs", groups: []Options{options(lbfgsKeys, &o.cfg)}}
	scalar := func(name string, s lbfgs.Scalar) {
		t := 0.0
		if s.Tensor {
			t = 1
		}
		f.global = append(f.global, named{name, s.V}, named{name + ".tensor", t})
	}
	f.global = append(f.global, named{"steps", float64(o.steps)}, named{"n_iter", float64(st.Iter)},
		named{"func_evals", float64(st.Evals)}, named{"prev_loss", st.PrevLoss}, named{"history", float64(len(st.Dirs))})
	scalar("t", st.T)
	scalar("H_diag", st.HDiag)
	for i, r := range st.Ro {
		scalar("ro."+strconv.Itoa(i), r)
	}
	off := 0
	for _, p := range o.params {
		n := len(p.Value)
		r := paramRecord{name: p.Name, shape: p.Shape}
		if st.D != nil {
			r.bufs = append(r.bufs, namedBuf{"d", st.D[off : off+n]})
		}
		if st.PrevGrad != nil {
			r.bufs = append(r.bufs, namedBuf{"prev_flat_grad", st.PrevGrad[off : off+n]})
		}
		for i := range st.Dirs {
			r.bufs = append(r.bufs, namedBuf{"old_dirs." + strconv.Itoa(i), st.Dirs[i][off : off+n]},
				namedBuf{"old_stps." + strconv.Itoa(i), st.Steps[i][off : off+n]})
		}
		f.params = append(f.params, r)
		off += n
	}
	return f.encode(w)
}

// Load reads a state written by Save of L-BFGS over parameters of the same names and shapes;
// on error nothing changes.
func (o *LBFGS) Load(r io.Reader) error {
	f, err := decodeState(r)
	if err != nil {
		return err
	}
	if f.kind != "lbfgs" {
		return StateError(fmt.Sprintf("the file is the state of optimizer %q, not \"lbfgs\"", f.kind))
	}
	if len(f.groups) != 1 {
		return StateError(fmt.Sprintf("the file has %d parameter groups, lbfgs has 1", len(f.groups)))
	}
	cfg := o.cfg
	if err := apply("lbfgs", lbfgsKeys, &cfg, f.groups[0]); err != nil {
		return StateError(err.Error())
	}
	m, err := lbfgs.New[float32](len(o.x), cfg.settings())
	if err != nil {
		return StateError(err.Error())
	}
	g := map[string]float64{}
	for _, v := range f.global {
		g[v.name] = v.v
	}
	steps, err := globalInt(f, "steps")
	if err != nil {
		return err
	}
	var st lbfgs.State[float32]
	var ints [3]int64
	for k, name := range []string{"n_iter", "func_evals", "history"} {
		if ints[k], err = globalInt(f, name); err != nil {
			return err
		}
	}
	st.Iter, st.Evals = int(ints[0]), int(ints[1])
	hist := int(ints[2])
	if 2*hist > len(f.global) {
		return StateError(fmt.Sprintf("the file has %d curvature pairs but %d scalars", hist, len(f.global)))
	}
	var missing string
	get := func(name string) float64 {
		v, ok := g[name]
		if !ok && missing == "" {
			missing = name
		}
		return v
	}
	scalar := func(name string) lbfgs.Scalar { return lbfgs.Scalar{V: get(name), Tensor: get(name+".tensor") != 0} }
	st.PrevLoss = get("prev_loss")
	st.T, st.HDiag = scalar("t"), scalar("H_diag")
	for i := range hist {
		st.Ro = append(st.Ro, scalar("ro."+strconv.Itoa(i)))
	}
	if missing != "" {
		return StateError(fmt.Sprintf("the file lacks %q", missing))
	}
	if len(f.params) != len(o.params) {
		return StateError(fmt.Sprintf("the file has %d parameters, the optimizer %d", len(f.params), len(o.params)))
	}
	// Gather each flat vector from the parameters' slices, in the optimiser's order.
	n := len(o.x)
	flat := map[string][]float32{}
	vec := func(name string) []float32 {
		if v, ok := flat[name]; ok {
			return v
		}
		v := make([]float32, n)
		flat[name] = v
		return v
	}
	known := func(name string) bool {
		if name == "d" || name == "prev_flat_grad" {
			return true
		}
		for _, prefix := range []string{"old_dirs.", "old_stps."} {
			if rest, ok := strings.CutPrefix(name, prefix); ok {
				i, err := strconv.Atoi(rest)
				return err == nil && 0 <= i && i < hist && strconv.Itoa(i) == rest
			}
		}
		return false
	}
	off := map[string]int{}
	pos := 0
	for _, p := range o.params {
		i := slices.IndexFunc(f.params, func(r paramRecord) bool { return r.name == p.Name })
		if i < 0 {
			return StateError(fmt.Sprintf("the file lacks parameter %q", p.Name))
		}
		rec := f.params[i]
		if !slices.Equal(rec.shape, p.Shape) {
			return StateError(fmt.Sprintf("parameter %q has shape %v in the file, %v here", p.Name, rec.shape, p.Shape))
		}
		for k, b := range rec.bufs {
			switch {
			case !known(b.name):
				return StateError(fmt.Sprintf("parameter %q has buffer %q, which an L-BFGS state of %d curvature pairs does not have", p.Name, b.name, hist))
			case slices.ContainsFunc(rec.bufs[:k], func(c namedBuf) bool { return c.name == b.name }):
				return StateError(fmt.Sprintf("parameter %q has buffer %q twice", p.Name, b.name))
			case len(b.data) != len(p.Value):
				return StateError(fmt.Sprintf("parameter %q has buffer %q of %d values, want %d", p.Name, b.name, len(b.data), len(p.Value)))
			}
			copy(vec(b.name)[pos:], b.data)
			off[b.name] += len(b.data)
		}
		pos += len(p.Value)
	}
	for name, k := range off {
		if k != n {
			return StateError(fmt.Sprintf("buffer %q is missing for some parameters", name))
		}
	}
	st.D, st.PrevGrad = flat["d"], flat["prev_flat_grad"]
	for i := range hist {
		y, s := flat["old_dirs."+strconv.Itoa(i)], flat["old_stps."+strconv.Itoa(i)]
		if y == nil || s == nil {
			return StateError(fmt.Sprintf("curvature pair %d is missing", i))
		}
		st.Dirs, st.Steps = append(st.Dirs, y), append(st.Steps, s)
	}
	if err := m.SetState(st); err != nil {
		return StateError(err.Error())
	}
	o.m, o.cfg, o.steps = m, cfg, steps
	return nil
}
