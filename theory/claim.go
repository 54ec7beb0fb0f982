package theory

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/descent-ml/descent/report"
)

// Kind says how a claim is judged.
type Kind int

// The kinds of claim.
const (
	// Theorem: a bound or identity that must hold on every instance drawn, up to the
	// floating-point (or, for expectations, statistical) slack each claim states.
	Theorem Kind = iota
	// TheoremLike: an asymptotic statement (a rate, a limit) checked through a figure and a
	// range, as an illustration is.
	TheoremLike
	// Illustration: a qualitative statement; the figure measured must land in a range.
	Illustration
)

// String returns the kind as the catalogue writes it.
func (k Kind) String() string {
	switch k {
	case Theorem:
		return "theorem"
	case TheoremLike:
		return "theorem-like"
	case Illustration:
		return "illustration"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Verdict is the outcome of a claim.
type Verdict int

// The verdicts. Only Pass and Erratum make a successful run.
const (
	// Pass: every check held.
	Pass Verdict = iota
	// Erratum: the lecture's statement is false as written, a counter-instance shows it,
	// and the corrected form held on every instance.
	Erratum
	// Fail: a check failed.
	Fail
	// Error: the experiment could not run (a dataset missing, the run cancelled).
	Error
)

// String returns the verdict in capitals, as the table prints it.
func (v Verdict) String() string {
	switch v {
	case Pass:
		return "PASS"
	case Erratum:
		return "ERRATUM"
	case Fail:
		return "FAIL"
	case Error:
		return "ERROR"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// OK reports whether the verdict is a success (Pass or Erratum).
func (v Verdict) OK() bool { return v == Pass || v == Erratum }

// A Claim is one statement of the lecture with the experiment that checks it. Its texts
// are the catalogue (see [WriteCatalogue]): they are written, with the criterion, before
// the experiment runs, and what is checked is what they say.
type Claim struct {
	// ID is the claim's name, e.g. "gd-strong".
	ID string
	// Section is the part of the catalogue it belongs to, e.g. "Batch methods".
	Section string
	Kind    Kind
	// Source says where the lecture makes the claim: its part, its slide and the line,
	// so that a reader with the lecture at hand finds it.
	Source string
	// Statement is the lecture's claim, in our words.
	Statement string
	// Criterion is the bound or pass criterion, short enough for the table.
	Criterion string
	// Protocol is the experiment and its pass criterion in full: the instances, what is
	// measured, the slack and the reason for it, and for an erratum what is checked of the
	// lecture's form and of the corrected one.
	Protocol string
	// History records the changes made to the criterion or the experiment after a result
	// was seen, when and why; empty if there were none. The criterion in force is the one
	// of Criterion and Protocol.
	History string
	// Erratum marks a claim whose lecture statement is false as written: its experiment
	// checks the lecture's form (expected to fail) and the corrected form, and records an
	// ErratumNote on every run. Its verdict is ERRATUM or FAIL, never PASS.
	Erratum bool
	// MNIST marks an experiment on MNIST (which Data loads, or fetches).
	MNIST bool
	// Exclusive marks an experiment that measures wall-clock time: Run gives it the
	// machine alone, after the other claims.
	Exclusive bool
	// Run performs the experiment, recording checks, figures and notes on x. An error
	// means the experiment could not run; a failed check is not an error.
	Run func(x *Experiment) error
}

// ErratumNote records a statement of the lecture that is false as written.
type ErratumNote struct {
	// Statement is the lecture's statement as written.
	Statement string
	// Counter is the counter-instance and what was observed on it.
	Counter string
	// Corrected is the corrected statement, the one the claim's checks verify.
	Corrected string
}

// A Check is one comparison of an observed figure with its limit.
type Check struct {
	// Name says what is compared, on which instances.
	Name string
	// Observed is the worst observed value and Limit the limit it is compared with,
	// slack included.
	Observed, Limit float64
	// Margin is the relative distance of Observed from Limit, on the side where the check
	// holds: non-negative if and only if it holds (NaN never holds). For a bound it is
	// (limit − observed)/|limit|, for a range the distance to its nearer end over its
	// width, for a curve the smallest over its points.
	Margin float64
	// Where locates the worst point, e.g. "n = 37, quadratic 3".
	Where string
	// Lecture marks a check of the lecture's statement as written, which the claim's
	// erratum corrects: its failure on the counter-instance is what the erratum shows.
	Lecture bool
}

// Holds reports whether the check held.
func (c Check) Holds() bool { return c.Margin >= 0 }

// Outcome is what a claim's experiment found.
type Outcome struct {
	Claim   Claim
	Verdict Verdict
	Checks  []Check
	Figures []report.Figure
	// Notes are sentences for the report: the figures measured, the instances drawn,
	// the slack allowed and why.
	Notes   []string
	Erratum *ErratumNote
	// Err is set when Verdict is Error.
	Err     error
	Elapsed time.Duration
}

// Worst returns the check of smallest margin among those that decide the verdict (the
// lecture-form checks of an erratum are left out), and false if there is none.
func (o *Outcome) Worst() (Check, bool) {
	var w Check
	found := false
	for _, c := range o.Checks {
		if c.Lecture {
			continue
		}
		if !found || c.Margin < w.Margin || math.IsNaN(c.Margin) {
			w, found = c, true
		}
	}
	return w, found
}

// judge sets the verdict from the checks.
func (o *Outcome) judge() {
	if o.Err != nil {
		o.Verdict = Error
		return
	}
	if len(o.Checks) == 0 {
		o.Verdict = Error
		o.Err = fmt.Errorf("theory: %s: the experiment made no check", o.Claim.ID)
		return
	}
	if o.Claim.Erratum != (o.Erratum != nil) {
		o.Verdict = Error
		o.Err = fmt.Errorf("theory: %s: the catalogue marks it an erratum: %v; the experiment recorded one: %v", o.Claim.ID, o.Claim.Erratum, o.Erratum != nil)
		return
	}
	lectureFails := false
	for _, c := range o.Checks {
		switch {
		case !c.Holds() && !c.Lecture:
			o.Verdict = Fail
			return
		case !c.Holds():
			lectureFails = true
		}
	}
	switch {
	case o.Erratum != nil && lectureFails:
		o.Verdict = Erratum
	case o.Erratum != nil:
		o.Verdict = Fail
		o.Notes = append(o.Notes, "The counter-instance of the erratum did not contradict the lecture's statement this time: the erratum is not shown.")
	case lectureFails:
		// A lecture-form check without an erratum to explain it.
		o.Verdict = Fail
	default:
		o.Verdict = Pass
	}
}

// An Experiment is what a claim's Run works with: the random source of its instances,
// the size to run at, the shared datasets, and the record of what it found.
type Experiment struct {
	// Ctx is cancelled when the run is interrupted; long loops should poll it.
	Ctx context.Context
	// Rand draws the instances. It is seeded from the run's seed and the claim's ID, so a
	// claim draws the same instances whether it runs alone or in the catalogue.
	Rand *rand.Rand
	// Seed is the run's seed. Rand is the claim's own source; Seed serves what several
	// claims share (the MLP runs), drawn from it alone.
	Seed uint64
	// Quick asks for the reduced sizes of the tests.
	Quick bool
	// Data holds the datasets shared by the claims of a run.
	Data *Data

	out *Outcome
}

// Check records c.
func (x *Experiment) Check(c Check) { x.out.Checks = append(x.out.Checks, c) }

// Figure records a figure; its Name must be unique in the run (prefix it with the claim's
// ID, as figure does).
func (x *Experiment) Figure(f report.Figure) { x.out.Figures = append(x.out.Figures, f) }

// Notef records a sentence for the report.
func (x *Experiment) Notef(format string, args ...any) {
	x.out.Notes = append(x.out.Notes, fmt.Sprintf(format, args...))
}

// Erratum records that the lecture's statement is false as written. The claim must also
// record the lecture-form checks (Lecture set) that the counter-instance violates.
func (x *Experiment) Erratum(e ErratumNote) { x.out.Erratum = &e }

// ID returns the claim's ID.
func (x *Experiment) ID() string { return x.out.Claim.ID }

// size returns quick when the experiment runs at the reduced size, else full.
func size[T any](x *Experiment, full, quick T) T {
	if x.Quick {
		return quick
	}
	return full
}

// cancelled returns the context's error, if the run was interrupted.
func (x *Experiment) cancelled() error { return x.Ctx.Err() }
