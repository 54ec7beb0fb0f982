package theory

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/descent-ml/descent/report"
)

// Tally counts the outcomes by verdict.
type Tally struct {
	Pass, Erratum, Fail, Error int
}

// Count returns the tally of outs.
func Count(outs []*Outcome) Tally {
	var t Tally
	for _, o := range outs {
		switch o.Verdict {
		case Pass:
			t.Pass++
		case Erratum:
			t.Erratum++
		case Fail:
			t.Fail++
		default:
			t.Error++
		}
	}
	return t
}

// OK reports whether every claim passed or was an erratum whose corrected form passed.
func (t Tally) OK() bool { return t.Fail == 0 && t.Error == 0 }

// String returns the tally as a sentence.
func (t Tally) String() string {
	return fmt.Sprintf("%d PASS, %d ERRATUM, %d FAIL, %d ERROR", t.Pass, t.Erratum, t.Fail, t.Error)
}

// mark returns the table mark of a verdict.
func mark(v Verdict) report.Mark {
	switch v {
	case Pass:
		return report.Good
	case Erratum:
		return report.Warn
	}
	return report.Bad
}

// formatMargin writes a margin with its sign, "—" when there is none.
func formatMargin(o *Outcome) string {
	c, ok := o.Worst()
	if !ok || o.Verdict == Error {
		return "—"
	}
	if math.IsNaN(c.Margin) {
		return "NaN"
	}
	s := report.FormatValue(c.Margin, 2)
	if c.Margin >= 0 && !strings.HasPrefix(s, "+") {
		s = "+" + s
	}
	return s
}

// Table returns the summary of the outcomes: one row per claim with its kind, its bound or
// criterion, the worst margin of the checks that decide it, its verdict and its time.
func Table(outs []*Outcome) *report.Table {
	t := report.NewTable("The lecture's claims, checked by experiment", "claim", "kind", "bound or criterion", "worst margin", "verdict", "seconds")
	for _, o := range outs {
		t.Add(mark(o.Verdict), o.Claim.ID, o.Claim.Kind.String(), o.Claim.Criterion, formatMargin(o), o.Verdict.String(),
			report.FormatValue(o.Elapsed.Seconds(), 2))
	}
	t.Note = "Margin: the relative distance of the worst observation from its limit, slack included, on the side where it holds " +
		"(negative: violated). For an erratum, the margin of the corrected form."
	return t
}

// PageConfig says what the report page describes beyond the outcomes.
type PageConfig struct {
	Seed  uint64
	Quick bool
	// Command is the command line, shown on the page.
	Command string
	// Elapsed is the wall-clock time of the whole run.
	Elapsed time.Duration
}

// Page returns the report of a run: the summary table, the errata, then one section per
// claim with its statement, its checks, its notes and its figures. The command adds its
// configuration and the machine.
func Page(outs []*Outcome, cfg PageConfig) *report.Page {
	tally := Count(outs)
	size := "full size"
	if cfg.Quick {
		size = "the reduced sizes of the tests (--quick)"
	}
	intro := fmt.Sprintf("Each claim of the lecture “Optimisation methods” checked by an experiment on random instances drawn from seed %d, at %s, "+
		"in %s: %s. The claims, their places in the lecture, their kinds and their criteria, written before the experiments run, are the "+
		"catalogue that `descent theory --list` prints (theory/catalogue.md in the repository).\n\nA theorem fails if its bound is ever violated "+
		"beyond the floating-point (or, for expectations, statistical) slack stated in its section; an illustration or a theorem-like claim passes "+
		"when the figure it measures lands in its range. Where the catalogue marks the lecture's statement false as written, the claim is an "+
		"ERRATUM when the lecture's form fails on the counter-instance and the corrected form holds, and FAIL otherwise.",
		cfg.Seed, size, cfg.Elapsed.Round(time.Second/10), tally)
	page := &report.Page{Title: "descent theory", Intro: report.Text(intro)}
	if cfg.Command != "" {
		page.Add("Summary", report.Pre(cfg.Command), Table(outs))
	} else {
		page.Add("Summary", Table(outs))
	}
	var errata []report.Block
	for _, o := range outs {
		if o.Erratum != nil {
			errata = append(errata, report.Text(fmt.Sprintf("%s (%s). As written: %s\n\nCounter-instance: %s\n\nCorrected: %s",
				o.Claim.ID, o.Verdict, o.Erratum.Statement, o.Erratum.Counter, o.Erratum.Corrected)))
		}
	}
	if len(errata) > 0 {
		page.Add("Errata", errata...)
	}
	for _, o := range outs {
		page.Add(fmt.Sprintf("%s — %s — %s", o.Claim.ID, o.Claim.Kind, o.Verdict), claimBlocks(o)...)
	}
	return page
}

// claimBlocks returns the blocks of a claim's section.
func claimBlocks(o *Outcome) []report.Block {
	var text strings.Builder
	fmt.Fprintf(&text, "%s (%s). Claim: %s\n\nIn the lecture: %s\n\nCriterion: %s. Verdict: %s in %.2f s.\n\nExperiment and pass criterion: %s",
		o.Claim.Section, o.Claim.Kind, o.Claim.Statement, o.Claim.Source, o.Claim.Criterion, o.Verdict, o.Elapsed.Seconds(), o.Claim.Protocol)
	if o.Claim.History != "" {
		fmt.Fprintf(&text, "\n\nHistory: %s", o.Claim.History)
	}
	if o.Err != nil {
		fmt.Fprintf(&text, "\n\nThe experiment could not run: %v", o.Err)
	}
	if o.Erratum != nil {
		fmt.Fprintf(&text, "\n\nErratum. As written: %s\n\nCounter-instance: %s\n\nCorrected form (checked): %s",
			o.Erratum.Statement, o.Erratum.Counter, o.Erratum.Corrected)
	}
	for _, n := range o.Notes {
		text.WriteString("\n\n" + n)
	}
	blocks := []report.Block{report.Text(text.String())}
	if len(o.Checks) > 0 {
		t := report.NewTable("Checks of "+o.Claim.ID, "check", "worst observed", "limit", "margin", "where", "")
		for _, c := range o.Checks {
			status := "holds"
			m := report.Good
			if !c.Holds() {
				status, m = "violated", report.Bad
			}
			if c.Lecture {
				status += " (lecture's form)"
				if !c.Holds() {
					m = report.Warn
				}
			}
			t.Add(m, c.Name, report.FormatValue(c.Observed, 4), report.FormatValue(c.Limit, 4), report.FormatValue(c.Margin, 2), c.Where, status)
		}
		blocks = append(blocks, t)
	}
	switch len(o.Figures) {
	case 0:
	case 1:
		blocks = append(blocks, o.Figures[0])
	default:
		blocks = append(blocks, report.Gallery(o.Figures))
	}
	return blocks
}
