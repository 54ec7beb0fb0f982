package optim

import (
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/descent-ml/descent/internal/hugepage"
	"github.com/descent-ml/descent/internal/optimk"
	"github.com/descent-ml/descent/internal/parallel"
)

// spec describes one first-order optimiser to the shared machinery of [base]: its name, its
// hyper-parameters of type C and the per-parameter state it keeps.
type spec[C any] struct {
	name     string           // registry name, written in state files
	keys     []key[C]         // hyper-parameters by torch's keyword names
	validate func(c *C) error // checks a group's configuration
	lr       func(c *C) *float64
	bufNames []string                  // names of the per-parameter buffers (torch's state keys)
	needs    func(c *C) uint           // bit b set: buffer b is kept under configuration c
	fill     func(c *C, b int) float32 // initial value of buffer b (nil: zero)
	valNames []string                  // names of the per-parameter scalars
	initVals func(c *C, v []float64)   // initial scalars (nil: zero)

	// Optional, for the optimisers whose state depends on a parameter's shape or whose
	// options hold for the whole optimiser:
	needsParam func(c *C, p *Param) uint    // replaces needs: the buffers kept for p
	bufLen     func(shape []int, b int) int // the length of buffer b (nil: the parameter's)
	shared     func(a, b *C) error          // nil if a and b agree on the optimiser-wide options
}

// pstate is the state of one parameter: torch's step count, its buffers (nil when not kept)
// and its scalars.
type pstate struct {
	step int64
	bufs [][]float32
	vals []float64
}

// kernel is the arithmetic of one optimiser.
type kernel interface {
	// prepare computes the coefficients of parameter i for this step, after its step count
	// has been incremented; it is called for every parameter with a gradient, in order.
	prepare(i int)
	// update applies the step to the elements [lo, hi) of parameter i, in one pass.
	update(i, lo, hi int)
}

// The optional abilities of a kernel, found by type assertion, for the optimisers whose step
// is more than one pass of an element-wise update.

// A beginner computes what a step needs once, after the gradients are checked and before
// any parameter's prepare; an error refuses the step before anything changes.
type beginner interface {
	begin() error
}

// A reducer sums over the elements of each parameter, block by block (see [sumBlock]): in
// the check pass, read-only, nc sums per block, and in a gather pass after prepare, ng sums
// per block; finish then runs once before the update pass.
type reducer interface {
	sums() (nc, ng int)
	// checkBlock writes the check pass's sums over elements [lo, hi) of parameter i to out
	// and reports whether the gradient is finite there (called only when nc > 0).
	checkBlock(i, lo, hi int, out []float64) bool
	// gatherBlock runs the gather pass over elements [lo, hi) of parameter i and writes its
	// sums to out (called only when ng > 0).
	gatherBlock(i, lo, hi int, out []float64)
}

// A finisher does the work between the passes over the elements and the update: it reads
// the gather pass's sums, or does a parameter's whole step itself (Muon's orthogonalisation).
type finisher interface {
	finish()
}

// A globalState saves scalars of the whole optimiser ("d" of Prodigy, the schedule-free
// methods' averaging weights) with the state file's globals.
type globalState[C any] interface {
	saveGlobals() []named
	// loadGlobals checks a file's globals against the configurations it brings and returns
	// what applies them, run only once everything else of the file fits.
	loadGlobals(f *stateFile, cfgs []C) (apply func(), err error)
}

// sumBlock is the number of elements of a parameter whose sums a reducer computes
// together: block b holds elements [b·sumBlock, (b+1)·sumBlock), so that every sum over a
// parameter is the float64 sum, block by block in order, of per-block sums that do not
// depend on how the elements are split among goroutines (the plan cuts parameters only at
// block boundaries). A cut at a block boundary also starts a part as aligned as its
// parameter's storage: the plan's earlier cut at any element (element 113048 of the MLP's
// second weight matrix on two threads) made the vector loads and stores of a whole part
// straddle cache lines, and that part's update 10-30% slower.
const sumBlock = 4096

// base is what the first-order optimisers share: parameter groups with their
// configurations, per-parameter state, the finite-gradient check and the parallel update.
type base[C, K any] struct {
	spec     *spec[C]
	defaults C
	cfgs     []C
	coef     []K // per-parameter coefficients of the current step
	params   []*Param
	group    []int // group of each parameter
	state    []pstate
	steps    int64 // Step calls that updated the parameters
	k        kernel

	plan   plan
	bad    []badGrad // per worker, from the check phase
	phases [3]phaseBody[C, K]

	// reducers' per-block sums of each parameter: block b's sums are
	// csum[i][b·nc : (b+1)·nc] (check pass) and gsum[i][b·ng : (b+1)·ng] (gather pass)
	csum, gsum [][]float64
}

// init sets the spec, kernel and defaults and adds the first group.
func (b *base[C, K]) init(s *spec[C], k kernel, params []*Param, cfg C) error {
	b.spec, b.k, b.defaults = s, k, cfg
	return b.AddGroup(params, cfg)
}

// NumGroups returns the number of parameter groups.
func (b *base[C, K]) NumGroups() int { return len(b.cfgs) }

// LR returns the learning rate of group g.
func (b *base[C, K]) LR(g int) float64 {
	b.checkGroup(g, "LR")
	return *b.spec.lr(&b.cfgs[g])
}

// SetLR sets the learning rate of group g. Like torch, it takes any finite value a scheduler
// computes (OneCycleLR's last step may extrapolate a little below zero); it panics if lr is
// NaN or infinite. A negative rate given to a constructor or AddGroup is refused there.
func (b *base[C, K]) SetLR(g int, lr float64) {
	b.checkGroup(g, "SetLR")
	if math.IsNaN(lr) || math.IsInf(lr, 0) {
		panic(fmt.Sprintf("optim: %s: SetLR(%d, %v): the learning rate must be finite", b.spec.name, g, lr))
	}
	*b.spec.lr(&b.cfgs[g]) = lr
}

func (b *base[C, K]) checkGroup(g int, method string) {
	if g < 0 || g >= len(b.cfgs) {
		panic(fmt.Sprintf("optim: %s: %s: group %d out of range [0, %d)", b.spec.name, method, g, len(b.cfgs)))
	}
}

// Defaults returns the configuration the optimiser was made with, the starting point of the
// configuration of a new group (torch's defaults of add_param_group).
func (b *base[C, K]) Defaults() C { return b.defaults }

// Config returns the configuration of group g.
func (b *base[C, K]) Config(g int) C {
	b.checkGroup(g, "Config")
	return b.cfgs[g]
}

// SetConfig replaces the configuration of group g, after validating it; on error nothing
// changes.
func (b *base[C, K]) SetConfig(g int, cfg C) error {
	b.checkGroup(g, "SetConfig")
	if err := b.spec.validate(&cfg); err != nil {
		return fmt.Errorf("optim: %s: group %d: %w", b.spec.name, g, err)
	}
	if b.spec.shared != nil {
		for h := range b.cfgs {
			if err := b.spec.shared(&b.cfgs[h], &cfg); h != g && err != nil {
				return fmt.Errorf("optim: %s: group %d: %w (group %d has another)", b.spec.name, g, err, h)
			}
		}
	}
	b.cfgs[g] = cfg
	b.allocState(g)
	return nil
}

// Params returns the parameters of group g.
func (b *base[C, K]) Params(g int) []*Param {
	b.checkGroup(g, "Params")
	var ps []*Param
	for i, p := range b.params {
		if b.group[i] == g {
			ps = append(ps, p)
		}
	}
	return ps
}

// AddGroup adds a group of parameters with its own configuration (torch's add_param_group;
// start from [Defaults] to inherit the optimiser's options). It returns an error, and changes
// nothing, if the configuration is invalid or a parameter is malformed, unnamed, or already
// optimised (by name or by storage).
func (b *base[C, K]) AddGroup(params []*Param, cfg C) error {
	name := b.spec.name
	if err := b.spec.validate(&cfg); err != nil {
		return fmt.Errorf("optim: %s: %w", name, err)
	}
	if b.spec.shared != nil && len(b.cfgs) > 0 {
		if err := b.spec.shared(&b.cfgs[0], &cfg); err != nil {
			return fmt.Errorf("optim: %s: %w (the first group has another: it holds for the whole optimizer)", name, err)
		}
	}
	if err := checkParams(name, b.params, params); err != nil {
		return err
	}
	g := len(b.cfgs)
	b.cfgs = append(b.cfgs, cfg)
	for _, p := range params {
		b.params = append(b.params, p)
		b.group = append(b.group, g)
		b.coef = append(b.coef, *new(K))
		b.state = append(b.state, pstate{bufs: make([][]float32, len(b.spec.bufNames)), vals: make([]float64, len(b.spec.valNames))})
		if b.spec.initVals != nil {
			b.spec.initVals(&cfg, b.state[len(b.state)-1].vals)
		}
		if r, ok := b.k.(reducer); ok {
			nc, ng := r.sums()
			blocks := (len(p.Value) + sumBlock - 1) / sumBlock
			b.csum = append(b.csum, make([]float64, blocks*nc))
			b.gsum = append(b.gsum, make([]float64, blocks*ng))
		}
	}
	b.allocState(g)
	b.plan.workers = 0 // rebuild
	return nil
}

// allocState allocates the buffers that the configuration of group g needs and its
// parameters lack. They are cut from one slab, each starting on a 64-byte line, so that
// the state of a large model lies on whole huge pages (internal/hugepage) rather than on
// the 4 KiB pages, each faulted in at the first step, of buffers allocated one by one.
func (b *base[C, K]) allocState(g int) {
	const line = 16 // float32s in 64 bytes
	total := 0
	b.missing(g, func(i, k int) { total += (b.bufLen(i, k) + line - 1) &^ (line - 1) })
	if total == 0 {
		return
	}
	slab := hugepage.Float32s(total)
	b.missing(g, func(i, k int) {
		n := b.bufLen(i, k)
		buf := slab[:n:n]
		slab = slab[(n+line-1)&^(line-1):]
		if b.spec.fill != nil {
			if v := b.spec.fill(&b.cfgs[g], k); v != 0 {
				for j := range buf {
					buf[j] = v
				}
			}
		}
		b.state[i].bufs[k] = buf
	})
}

// missing calls f for each buffer k of each parameter i of group g that the group's
// configuration needs and the parameter lacks, in order.
func (b *base[C, K]) missing(g int, f func(i, k int)) {
	for i := range b.params {
		if b.group[i] != g {
			continue
		}
		need := b.needs(i, &b.cfgs[g])
		for k := range b.spec.bufNames {
			if need&(1<<k) != 0 && b.state[i].bufs[k] == nil {
				f(i, k)
			}
		}
	}
}

// needs returns the buffers parameter i keeps under configuration c (bit k: buffer k).
func (b *base[C, K]) needs(i int, c *C) uint {
	if b.spec.needsParam != nil {
		return b.spec.needsParam(c, b.params[i])
	}
	return b.spec.needs(c)
}

// bufLen returns the length of buffer k of parameter i.
func (b *base[C, K]) bufLen(i, k int) int {
	if b.spec.bufLen != nil {
		return b.spec.bufLen(b.params[i].Shape, k)
	}
	return len(b.params[i].Value)
}

// checkParams checks new parameters against each other and against those already held:
// each non-nil, named, with storage of the length of its shape, and neither its name nor
// its storage already present.
func checkParams(opt string, have, add []*Param) error {
	if len(add) == 0 {
		return fmt.Errorf("optim: %s: empty parameter group", opt)
	}
	names := make(map[string]bool, len(have)+len(add))
	stores := make(map[*float32]string, len(have)+len(add))
	for _, p := range have {
		names[p.Name] = true
		stores[&p.Value[0]] = p.Name
	}
	for k, p := range add {
		switch {
		case p == nil:
			return fmt.Errorf("optim: %s: parameter %d of the group is nil", opt, k)
		case p.Name == "":
			return fmt.Errorf("optim: %s: parameter %d of the group has no name", opt, k)
		case names[p.Name]:
			return fmt.Errorf("optim: %s: parameter %q appears twice (in two groups, or twice in one)", opt, p.Name)
		}
		n := 1
		for _, d := range p.Shape {
			if d < 0 {
				return fmt.Errorf("optim: %s: parameter %q has negative dimension in shape %v", opt, p.Name, p.Shape)
			}
			n *= d
		}
		switch {
		case n == 0 || len(p.Value) != n:
			return fmt.Errorf("optim: %s: parameter %q has %d values for shape %v", opt, p.Name, len(p.Value), p.Shape)
		case p.Grad != nil && len(p.Grad) != n:
			return fmt.Errorf("optim: %s: parameter %q has %d gradient values for shape %v", opt, p.Name, len(p.Grad), p.Shape)
		}
		if other, ok := stores[&p.Value[0]]; ok {
			return fmt.Errorf("optim: %s: parameters %q and %q share their storage", opt, other, p.Name)
		}
		names[p.Name] = true
		stores[&p.Value[0]] = p.Name
	}
	return nil
}

// ZeroGrad sets every gradient to zero.
func (b *base[C, K]) ZeroGrad() {
	for _, p := range b.params {
		clear(p.Grad)
	}
}

// StepWith evaluates the closure, then steps; it returns the closure's loss (torch's
// step(closure)).
func (b *base[C, K]) StepWith(closure Closure) (float64, error) {
	loss, err := closure()
	if err != nil {
		return loss, err
	}
	return loss, b.Step()
}

// Step applies one update to every parameter that has a gradient (a nil Grad is skipped, as
// torch skips a None grad). A gradient with a NaN or infinite element is a [*NonFiniteError],
// returned before anything changes. Step allocates nothing and splits the work across
// runtime.GOMAXPROCS(0) goroutines when there is enough of it.
func (b *base[C, K]) Step() error {
	for _, p := range b.params {
		if p.Grad != nil && len(p.Grad) != len(p.Value) {
			panic(fmt.Sprintf("optim: %s: parameter %q has %d gradient values for %d values", b.spec.name, p.Name, len(p.Grad), len(p.Value)))
		}
	}
	workers := b.ensurePlan()
	b.run(workers, phaseCheck)
	for w := range workers {
		if bad := b.bad[w]; bad.found {
			p := b.params[bad.param]
			return &NonFiniteError{Op: "optim: " + b.spec.name, Param: p.Name, Index: bad.index, Value: float64(p.Grad[bad.index]), Step: b.steps + 1}
		}
	}
	if bg, ok := b.k.(beginner); ok {
		if err := bg.begin(); err != nil {
			return err
		}
	}
	for i, p := range b.params {
		if p.Grad != nil {
			b.state[i].step++
			b.k.prepare(i)
		}
	}
	if r, ok := b.k.(reducer); ok {
		if _, ng := r.sums(); ng > 0 {
			b.run(workers, phaseGather)
		}
	}
	if f, ok := b.k.(finisher); ok {
		f.finish()
	}
	b.run(workers, phaseUpdate)
	b.steps++
	return nil
}

const (
	phaseCheck = iota
	phaseGather
	phaseUpdate
)

// blockSum returns the sum k of the per-block sums sums (n per block), block by block in
// order.
func blockSum(sums []float64, n, k int) float64 {
	var s float64
	for j := k; j < len(sums); j += n {
		s += sums[j]
	}
	return s
}

// minPerWorker is the least number of elements worth a goroutine of its own.
const minPerWorker = 1 << 15

// A segment is the elements [lo, hi) of parameter i.
type segment struct{ i, lo, hi int }

// plan splits the parameters' elements into contiguous parts of about equal size, one per
// worker: worker w handles segs[parts[w]:parts[w+1]].
type plan struct {
	workers int
	segs    []segment
	parts   []int
}

type badGrad struct {
	found        bool
	param, index int
}

// ensurePlan (re)builds the plan when the parameters or GOMAXPROCS changed and returns the
// number of workers.
func (b *base[C, K]) ensurePlan() int {
	total := 0
	for _, p := range b.params {
		total += len(p.Value)
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, total/minPerWorker))
	if b.plan.workers == workers {
		return workers
	}
	per := (total + workers - 1) / workers
	per = (per + 63) &^ 63
	b.plan = plan{workers: workers, parts: []int{0}}
	left := per // room left in the current part
	for i, p := range b.params {
		n := len(p.Value)
		for lo := 0; lo < n; {
			hi := n
			if lo+left < n { // cut the parameter at the next block boundary
				hi = min(n, (lo+left+sumBlock-1)/sumBlock*sumBlock)
			}
			b.plan.segs = append(b.plan.segs, segment{i, lo, hi})
			left -= hi - lo
			lo = hi
			if left <= 0 {
				left = per
				if len(b.plan.parts) < workers {
					b.plan.parts = append(b.plan.parts, len(b.plan.segs))
				} else {
					left = math.MaxInt // the last part takes the rest
				}
			}
		}
	}
	for len(b.plan.parts) <= workers {
		b.plan.parts = append(b.plan.parts, len(b.plan.segs))
	}
	b.plan.parts[workers] = len(b.plan.segs)
	b.bad = make([]badGrad, workers)
	return workers
}

// run performs a phase on every part, in parallel when there are several workers. The
// parts go to the shared pool of internal/parallel; each element's update depends on that
// element alone, so which goroutine runs which part does not change a bit.
func (b *base[C, K]) run(workers, phase int) {
	if workers == 1 {
		b.work(0, phase)
		return
	}
	pb := &b.phases[phase]
	pb.b, pb.phase = b, phase
	parallel.SplitBody(workers, workers, pb)
}

// A phaseBody is a phase of a step, as a loop body over the parts of the plan.
type phaseBody[C, K any] struct {
	b     *base[C, K]
	phase int
}

// Range performs the phase on part i (lo and hi, the same as i, are not used).
func (p *phaseBody[C, K]) Range(i, _, _ int) { p.b.work(i, p.phase) }

// work performs a phase on part w.
func (b *base[C, K]) work(w, phase int) {
	segs := b.plan.segs[b.plan.parts[w]:b.plan.parts[w+1]]
	r, _ := b.k.(reducer)
	var nc, ng int
	if r != nil {
		nc, ng = r.sums()
	}
	switch phase {
	case phaseCheck:
		b.bad[w] = badGrad{}
		for _, s := range segs {
			g := b.params[s.i].Grad
			if g == nil {
				continue
			}
			if nc == 0 {
				if !optimk.AllFinite(g[s.lo:s.hi]) {
					b.bad[w] = badGrad{true, s.i, firstNonFinite(g, s.lo, s.hi)}
					return
				}
				continue
			}
			for lo := s.lo; lo < s.hi; {
				hi := min(s.hi, (lo/sumBlock+1)*sumBlock)
				blk := lo / sumBlock
				if !r.checkBlock(s.i, lo, hi, b.csum[s.i][blk*nc:(blk+1)*nc]) {
					b.bad[w] = badGrad{true, s.i, firstNonFinite(g, lo, hi)}
					return
				}
				lo = hi
			}
		}
	case phaseGather:
		for _, s := range segs {
			if b.params[s.i].Grad == nil {
				continue
			}
			for lo := s.lo; lo < s.hi; {
				hi := min(s.hi, (lo/sumBlock+1)*sumBlock)
				blk := lo / sumBlock
				r.gatherBlock(s.i, lo, hi, b.gsum[s.i][blk*ng:(blk+1)*ng])
				lo = hi
			}
		}
	default:
		for _, s := range segs {
			if b.params[s.i].Grad != nil {
				b.k.update(s.i, s.lo, s.hi)
			}
		}
	}
}

// firstNonFinite returns the index of the first NaN or infinity of g[lo:hi], which has one.
func firstNonFinite(g []float32, lo, hi int) int {
	for j := lo; j < hi; j++ {
		if v := float64(g[j]); math.IsNaN(v) || math.IsInf(v, 0) {
			return j
		}
	}
	panic("optim: no NaN or infinity where the check found one")
}

// index returns the position of the parameter named name, or -1.
func (b *base[C, K]) index(name string) int {
	return slices.IndexFunc(b.params, func(p *Param) bool { return p.Name == name })
}
