package lr

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// SpecUsage describes the grammar of [ParseSpec], for the help of a command-line flag.
const SpecUsage = `learning-rate schedule: none, step:EPOCHS:GAMMA, multistep:E1,E2,...:GAMMA, exp:GAMMA, ` +
	`cosine[:ETA_MIN], warmrestarts:T0[:TMULT], linear-warmup:EPOCHS[:START][+AFTER], onecycle[:MAX_LR], ` +
	`plateau[:FACTOR[:PATIENCE]]`

// Spec is a learning-rate schedule written on the command line, such as "step:20:0.1",
// parsed by [ParseSpec] (see "Command-line schedules" in the package doc for the grammar).
// Its zero value is "none". A *Spec is a flag.Value.
type Spec struct {
	kind       string
	epochs     int     // step: STEP_EPOCHS; linear-warmup: EPOCHS; warmrestarts: T0
	milestones []int   // multistep
	gamma      float64 // step, multistep, exp
	etaMin     float64 // cosine
	tMult      int     // warmrestarts
	start      float64 // linear-warmup
	maxLR      float64 // onecycle; 0 for the optimiser's rates
	factor     float64 // plateau
	patience   int     // plateau
	after      *Spec   // the schedule after a linear warm-up
}

// specKind is a kind of schedule and its arguments.
type specKind struct {
	name, args string
	min, max   int // number of arguments
}

// specKinds are the kinds of schedule, in the order of the grammar.
var specKinds = []specKind{
	{"none", "", 0, 0},
	{"step", "STEP_EPOCHS:GAMMA", 2, 2},
	{"multistep", "E1,E2,...:GAMMA", 2, 2},
	{"exp", "GAMMA", 1, 1},
	{"cosine", "[ETA_MIN]", 0, 1},
	{"warmrestarts", "T0[:TMULT]", 1, 2},
	{"linear-warmup", "EPOCHS[:START]", 1, 2},
	{"onecycle", "[MAX_LR]", 0, 1},
	{"plateau", "[FACTOR[:PATIENCE]]", 0, 2},
}

// ParseSpec parses a command-line schedule. Errors name the part of the spec that is wrong.
func ParseSpec(spec string) (Spec, error) {
	if spec == "" {
		return Spec{}, nil
	}
	first, after, composed := strings.Cut(spec, "+")
	s, err := parseOne(spec, first)
	if err != nil || !composed {
		return s, err
	}
	if s.kind != "linear-warmup" {
		return Spec{}, fmt.Errorf("lr: schedule %q: only linear-warmup can be followed by +AFTER, not %s", spec, s.kind)
	}
	a, err := parseOne(spec, after)
	if err != nil {
		return Spec{}, err
	}
	switch a.kind {
	case "step", "multistep", "cosine", "warmrestarts":
	default:
		return Spec{}, fmt.Errorf("lr: schedule %q: after a linear warm-up comes step, multistep, cosine or warmrestarts, not %q", spec, after)
	}
	s.after = &a
	return s, nil
}

// parseOne parses one schedule, part of spec, without "+".
func parseOne(spec, part string) (Spec, error) {
	fields := strings.Split(part, ":")
	s := Spec{kind: fields[0]}
	args := fields[1:]
	bad := func(format string, a ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("lr: schedule %q: "+format, append([]any{spec}, a...)...)
	}
	k := slices.IndexFunc(specKinds, func(k specKind) bool { return k.name == s.kind })
	if k < 0 {
		names := make([]string, len(specKinds))
		for i, k := range specKinds {
			names[i] = k.name
		}
		return bad("unknown schedule %q (want %s)", s.kind, strings.Join(names, ", "))
	}
	if kind := specKinds[k]; len(args) < kind.min || len(args) > kind.max {
		if kind.max == 0 {
			return bad("%s takes no argument", s.kind)
		}
		return bad("%s takes %s:%s, got %q", s.kind, s.kind, kind.args, part)
	}
	arg := func(i int) (string, bool) {
		if i < len(args) {
			return args[i], true
		}
		return "", false
	}
	var err error
	switch s.kind {
	case "step":
		s.epochs, err = specInt(args[0], "STEP_EPOCHS", 1)
		if err == nil {
			s.gamma, err = specFloat(args[1], "GAMMA", 0, math.Inf(1), false)
		}
	case "multistep":
		for _, m := range strings.Split(args[0], ",") {
			var e int
			if e, err = specInt(m, "milestone", 1); err != nil {
				break
			}
			if n := len(s.milestones); n > 0 && e <= s.milestones[n-1] {
				err = fmt.Errorf("milestones must be increasing, got %d after %d", e, s.milestones[n-1])
				break
			}
			s.milestones = append(s.milestones, e)
		}
		if err == nil {
			s.gamma, err = specFloat(args[1], "GAMMA", 0, math.Inf(1), false)
		}
	case "exp":
		s.gamma, err = specFloat(args[0], "GAMMA", 0, math.Inf(1), false)
	case "cosine":
		if a, ok := arg(0); ok {
			s.etaMin, err = specFloat(a, "ETA_MIN", 0, math.Inf(1), true)
		}
	case "warmrestarts":
		s.tMult = 1
		s.epochs, err = specInt(args[0], "T0", 1)
		if a, ok := arg(1); ok && err == nil {
			s.tMult, err = specInt(a, "TMULT", 1)
		}
	case "linear-warmup":
		s.start = 0.1
		s.epochs, err = specInt(args[0], "EPOCHS", 1)
		if a, ok := arg(1); ok && err == nil {
			s.start, err = specFloat(a, "START", 0, 1, false)
		}
	case "onecycle":
		if a, ok := arg(0); ok {
			s.maxLR, err = specFloat(a, "MAX_LR", 0, math.Inf(1), false)
		}
	case "plateau":
		s.factor, s.patience = 0.1, 10
		if a, ok := arg(0); ok {
			s.factor, err = specFloat(a, "FACTOR", 0, 1, false)
			if err == nil && s.factor == 1 {
				err = fmt.Errorf("FACTOR must be below 1, got %q", a)
			}
		}
		if a, ok := arg(1); ok && err == nil {
			s.patience, err = specInt(a, "PATIENCE", 0)
		}
	}
	if err != nil {
		return bad("%v", err)
	}
	return s, nil
}

// specInt parses an integer field of at least min.
func specInt(text, field string, min int) (int, error) {
	v, err := strconv.Atoi(text)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an integer", field, text)
	}
	if v < min {
		return 0, fmt.Errorf("%s must be at least %d, got %q", field, min, text)
	}
	return v, nil
}

// specFloat parses a number field in (lo, hi], or [lo, hi] if closed.
func specFloat(text, field string, lo, hi float64, closed bool) (float64, error) {
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a finite number", field, text)
	}
	if v > hi || v < lo || (!closed && v == lo) {
		interval := "(%v, %v]"
		if closed {
			interval = "[%v, %v]"
		}
		if math.IsInf(hi, 1) {
			interval = strings.Replace(interval, "%v]", "%v)", 1)
		}
		return 0, fmt.Errorf("%s must lie in "+interval+", got %q", field, lo, hi, text)
	}
	return v, nil
}

// String returns the spec in its canonical form.
func (s Spec) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var b strings.Builder
	switch s.kind {
	case "", "none":
		return "none"
	case "step":
		fmt.Fprintf(&b, "step:%d:%s", s.epochs, f(s.gamma))
	case "multistep":
		ms := make([]string, len(s.milestones))
		for i, m := range s.milestones {
			ms[i] = strconv.Itoa(m)
		}
		fmt.Fprintf(&b, "multistep:%s:%s", strings.Join(ms, ","), f(s.gamma))
	case "exp":
		fmt.Fprintf(&b, "exp:%s", f(s.gamma))
	case "cosine":
		fmt.Fprintf(&b, "cosine:%s", f(s.etaMin))
	case "warmrestarts":
		fmt.Fprintf(&b, "warmrestarts:%d:%d", s.epochs, s.tMult)
	case "linear-warmup":
		fmt.Fprintf(&b, "linear-warmup:%d:%s", s.epochs, f(s.start))
	case "onecycle":
		b.WriteString("onecycle")
		if s.maxLR != 0 {
			b.WriteString(":" + f(s.maxLR))
		}
	case "plateau":
		fmt.Fprintf(&b, "plateau:%s:%d", f(s.factor), s.patience)
	}
	if s.after != nil {
		b.WriteString("+" + s.after.String())
	}
	return b.String()
}

// Set parses text into s, for the flag package.
func (s *Spec) Set(text string) error {
	v, err := ParseSpec(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// PerBatch reports whether the schedule steps after every batch; otherwise it steps after
// every epoch.
func (s Spec) PerBatch() bool {
	switch s.kind {
	case "cosine", "warmrestarts", "linear-warmup", "onecycle":
		return true
	}
	return false
}

// Parse parses a command-line schedule and builds it over opt for a run of the given number
// of epochs of stepsPerEpoch batches: ParseSpec then [Spec.New].
func Parse(spec string, opt Optimizer, epochs, stepsPerEpoch int) (*Schedule, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	return s.New(opt, epochs, stepsPerEpoch)
}

// Schedule is a scheduler with its pace, as built from a [Spec]: the training loop calls
// BatchEnd after every optimiser step and EpochEnd after every epoch, and the schedule steps
// at the pace its spec says.
type Schedule struct {
	spec          Spec
	epochs, steps int
	opt           Optimizer
	sched         Scheduler          // nil for none and plateau
	plateau       *ReduceLROnPlateau // for plateau
	last          []float64          // for none
}

// New builds the schedule over opt for a run of epochs epochs of stepsPerEpoch batches, and
// sets the rates of the first batch. The schedule starts from the optimiser's rates.
func (s Spec) New(opt Optimizer, epochs, stepsPerEpoch int) (*Schedule, error) {
	if opt == nil {
		panic("lr: schedule of a nil optimiser")
	}
	if epochs < 1 || stepsPerEpoch < 1 {
		return nil, fmt.Errorf("lr: schedule %q needs at least 1 epoch and 1 step per epoch, got %d and %d", s, epochs, stepsPerEpoch)
	}
	if err := checkGroups(opt, "schedule"); err != nil {
		return nil, err
	}
	out := &Schedule{spec: s, epochs: epochs, steps: stepsPerEpoch, opt: opt, last: make([]float64, opt.NumGroups())}
	var err error
	switch s.kind {
	case "", "none":
		readRates(opt, out.last)
	case "plateau":
		cfg := PlateauDefaults()
		cfg.Factor, cfg.Patience = s.factor, s.patience
		out.plateau, err = NewReduceLROnPlateau(opt, cfg)
	case "linear-warmup":
		out.sched, err = s.warmup(opt, epochs, stepsPerEpoch)
	default:
		out.sched, err = s.scheduler(opt, epochs, stepsPerEpoch, s.PerBatch())
	}
	if err != nil {
		return nil, fmt.Errorf("lr: schedule %q: %s", s, strings.TrimPrefix(err.Error(), "lr: "))
	}
	return out, nil
}

// warmup builds a linear warm-up, alone or followed by s.after.
func (s Spec) warmup(opt Optimizer, epochs, steps int) (Scheduler, error) {
	warm, err := NewLinearLR(opt, s.start, 1, s.epochs*steps)
	if err != nil || s.after == nil {
		return warm, err
	}
	if s.epochs >= epochs {
		return nil, fmt.Errorf("the warm-up of %d epochs leaves none of the %d for %s", s.epochs, epochs, s.after.kind)
	}
	then, err := s.after.scheduler(opt, epochs-s.epochs, steps, true)
	if err != nil {
		return nil, err
	}
	return NewSequentialLR([]Scheduler{warm, then}, []int{s.epochs * steps})
}

// scheduler builds a schedule of one kind for a run of epochs × steps batches, stepping
// per batch or per epoch.
func (s Spec) scheduler(opt Optimizer, epochs, steps int, perBatch bool) (Scheduler, error) {
	unit := 1
	if perBatch {
		unit = steps
	}
	switch s.kind {
	case "step":
		return NewStepLR(opt, s.epochs*unit, s.gamma)
	case "multistep":
		ms := make([]int, len(s.milestones))
		for i, m := range s.milestones {
			ms[i] = m * unit
		}
		return NewMultiStepLR(opt, ms, s.gamma)
	case "exp":
		return NewExponentialLR(opt, s.gamma)
	case "cosine":
		return NewCosineAnnealingLR(opt, epochs*steps, s.etaMin)
	case "warmrestarts":
		return NewCosineAnnealingWarmRestarts(opt, s.epochs*steps, s.tMult, 0)
	case "onecycle":
		cfg := OneCycleConfig{TotalSteps: epochs * steps}
		if s.maxLR != 0 {
			cfg.MaxLR = []float64{s.maxLR}
		} else {
			for g := range opt.NumGroups() {
				cfg.MaxLR = append(cfg.MaxLR, opt.LR(g))
			}
		}
		m, ok := opt.(Momentumer)
		cfg.NoCycleMomentum = !ok || m.Momentum(0) == 0
		return NewOneCycleLR(opt, cfg)
	}
	panic("lr: no scheduler for schedule kind " + s.kind)
}

// Spec returns the schedule's spec.
func (s *Schedule) Spec() Spec { return s.spec }

// PerBatch reports whether the schedule steps after every batch rather than every epoch.
func (s *Schedule) PerBatch() bool { return s.spec.PerBatch() }

// BatchEnd steps a per-batch schedule; call it after every optimiser step.
func (s *Schedule) BatchEnd() error {
	if s.sched == nil || !s.PerBatch() {
		return nil
	}
	return s.sched.Step()
}

// EpochEnd steps a per-epoch schedule; call it after every epoch with the epoch's metric,
// lower is better (the validation loss, or the training loss without a validation set),
// which only plateau reads.
func (s *Schedule) EpochEnd(metric float64) error {
	switch {
	case s.plateau != nil:
		return s.plateau.Step(metric)
	case s.sched != nil && !s.PerBatch():
		return s.sched.Step()
	}
	return nil
}

// LastLR returns the rates set by the latest step (for none, the optimiser's rates).
func (s *Schedule) LastLR() []float64 {
	switch {
	case s.plateau != nil:
		return s.plateau.LastLR()
	case s.sched != nil:
		return s.sched.LastLR()
	}
	readRates(s.opt, s.last)
	return s.last
}

type scheduleState struct {
	header
	Spec          string          `json:"spec"`
	Epochs        int             `json:"epochs"`
	StepsPerEpoch int             `json:"steps_per_epoch"`
	Scheduler     json.RawMessage `json:"scheduler,omitempty"`
}

// inner returns the scheduler the schedule drives, or nil for none.
func (s *Schedule) inner() interface {
	stateful
	MarshalBinary() ([]byte, error)
} {
	switch {
	case s.plateau != nil:
		return s.plateau
	case s.sched != nil:
		return s.sched.(interface {
			stateful
			MarshalBinary() ([]byte, error)
		})
	}
	return nil
}

// MarshalBinary returns the state: the spec, the run's length and the scheduler's state.
func (s *Schedule) MarshalBinary() ([]byte, error) {
	st := scheduleState{header: newHeader("Schedule"), Spec: s.spec.String(), Epochs: s.epochs, StepsPerEpoch: s.steps}
	if in := s.inner(); in != nil {
		b, err := in.MarshalBinary()
		if err != nil {
			return nil, err
		}
		st.Scheduler = b
	}
	return json.Marshal(&st)
}

// UnmarshalBinary restores a state saved by a Schedule of the same spec and run length.
func (s *Schedule) UnmarshalBinary(data []byte) error { return unmarshal(s, data) }

func (s *Schedule) load(data []byte) (func(), error) {
	var st scheduleState
	if err := decode(data, "Schedule", &st); err != nil {
		return nil, err
	}
	if st.Spec != s.spec.String() || st.Epochs != s.epochs || st.StepsPerEpoch != s.steps {
		return nil, stateErrorf("the state is of schedule %q for %d epochs of %d steps, not %q for %d epochs of %d steps",
			st.Spec, st.Epochs, st.StepsPerEpoch, s.spec, s.epochs, s.steps)
	}
	in := s.inner()
	if in == nil {
		return func() {}, nil
	}
	return in.load(st.Scheduler)
}

func (s *Schedule) setOptimizer() {
	if in := s.inner(); in != nil {
		in.setOptimizer()
	}
}
