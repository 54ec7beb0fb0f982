package theory

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Catalogue returns every claim, in the order of the lecture's parts, then the claims of
// the newer methods the lecture does not teach, with the criteria in force. Their texts (see [Claim]) are the catalogue that [WriteCatalogue] writes.
func Catalogue() []Claim {
	return []Claim{
		firstOrder(-1e-11), sandwich(1), hessianBounds(1), kappaCost(0.8, 1.2), reparametrisation(1), ermGap(-1.2, -0.3),

		gdSmooth(0.5), gdStrong(1), lowerBound(3.0 / 32), nesterovRate(2), nesterovSpeed(0.35, 0.65), heavyBall(1),
		newtonQuadratic(1e-9), newtonLocal(2), lbfgsClaim(10), noiseSensitive(0.5),

		unbiased(4), sgdFixedBound(2), sgdPlateau(0.35, 0.65), sgdDecayStrong(-1.2, -0.8), sgdDecayConvex(-0.8, -0.3),
		sgdVsGD(10), interpolation(0.95), minibatchVariance(1), batchSweetSpot(1), momentumSGD(0.5),

		adagradRobust("Adagrad"), adagradScale(1e-6), adagradForgets(1), rmspropSize(0.3, 3), adamBias(adamTorchRoundings),
		amsgradClaim(1), weightDecay(10), stepSchedule(1), adamFirst(1, 85),

		sfVsCosine(0.5), lionSign(1), prodigyRate(0.1, 10),
	}
}

// Lookup returns the claim of the catalogue with the given ID.
func Lookup(id string) (Claim, error) {
	var ids []string
	for _, c := range Catalogue() {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return Claim{}, fmt.Errorf("theory: no claim %q (the claims are %s)", id, strings.Join(ids, ", "))
}

// catalogueIntro opens the catalogue.
const catalogueIntro = "The claims that `descent theory` checks: every statement of the lecture “Optimisation methods” " +
	"(of the course “Deep Learning: Do-It-Yourself!”, on optimisation for deep learning) that a computer can check, each " +
	"with the experiment that checks it. For each claim: where the lecture makes it, what it states (in our words), its " +
	"kind, and its pass criterion, written before the experiment runs; and, where a criterion or an experiment was " +
	"changed after a result had been seen, its history.\n\n" +
	"The last part holds claims that are not the lecture's: those that newer optimisers of package optim come with " +
	"(Schedule-Free AdamW, Lion, Prodigy), taken from their papers, which their “In the lecture” field names; they are " +
	"catalogued here, with their criteria, before their experiments first ran.\n\n" +
	"Kinds. A theorem is a bound or identity that must hold on every instance drawn, up to the floating-point (or, for " +
	"expectations, statistical) slack its criterion states with its reason. A theorem-like claim is an asymptotic " +
	"statement (a rate, a limit) and an illustration a qualitative one: each measures a figure, which must land in its " +
	"stated range.\n\n" +
	"Verdicts. PASS: every check held. FAIL: one did not. ERRATUM: the claim is marked an erratum below — the lecture's " +
	"statement is false as written — and on this run the lecture's form failed on the counter-instance while every check " +
	"of the corrected form held; if the lecture's form holds, or the corrected form fails, the verdict is FAIL. An erratum " +
	"is a property of the statement, declared here in advance, never a verdict given to the draws on which the lecture's " +
	"form happened to fail.\n\n" +
	"Each claim runs on random instances drawn from `--seed` (1 by default); `--quick` runs the reduced sizes of the " +
	"tests, with the same criteria, except where a claim's criterion states another for the reduced size (adam-first's, a smoke " +
	"test: that size cannot decide its statement). This file is generated from the claims themselves (package theory); " +
	"`descent theory --list` prints it, and `go test ./theory -run TestCatalogueFile -update` rewrites it."

// WriteCatalogue writes the catalogue of claims as Markdown: for each its ID, kind,
// section, place in the lecture, statement, criterion, full protocol and history.
func WriteCatalogue(w io.Writer, claims []Claim) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# The claims of `descent theory`\n\n")
	for _, p := range strings.Split(catalogueIntro, "\n\n") {
		wrap(b, p)
	}
	var errata []string
	for _, c := range claims {
		if c.Erratum {
			errata = append(errata, c.ID)
		}
	}
	if len(errata) > 0 {
		wrap(b, fmt.Sprintf("Errata (%d): %s.", len(errata), strings.Join(errata, ", ")))
	}
	section := ""
	for _, c := range claims {
		if c.Section != section {
			section = c.Section
			fmt.Fprintf(b, "## %s\n\n", section)
		}
		kind := c.Kind.String()
		if c.Erratum {
			kind += ", erratum"
		}
		if c.MNIST {
			kind += ", on MNIST"
		}
		fmt.Fprintf(b, "### %s (%s)\n\n", c.ID, kind)
		wrap(b, "*In the lecture.* "+c.Source)
		wrap(b, "*Statement.* "+c.Statement)
		wrap(b, "*Criterion.* "+c.Criterion+".")
		wrap(b, "*Experiment and pass criterion.* "+c.Protocol)
		if c.History != "" {
			wrap(b, "*History.* "+c.History)
		}
	}
	return b.Flush()
}

// catalogueWidth is the width the catalogue's paragraphs are wrapped to.
const catalogueWidth = 100

// wrap writes the paragraph p wrapped to catalogueWidth columns, then a blank line.
func wrap(b *bufio.Writer, p string) {
	n := 0
	for i, word := range strings.Fields(p) {
		l := len([]rune(word))
		switch {
		case i == 0:
		case n+1+l > catalogueWidth:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += l
	}
	b.WriteString("\n\n")
}
