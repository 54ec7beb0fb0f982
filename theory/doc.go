// Package theory makes the lecture's claims executable: every statement of the lecture
// “Optimisation methods” that a computer can check (35 of them: convexity and conditioning,
// batch methods, stochastic methods, adaptive methods and practice) is an experiment on
// random instances drawn from a seed, judged PASS, FAIL or ERRATUM, with a figure that draws
// the bound over what was observed. Three more claims come from the papers of newer methods
// the lecture does not teach (sf-vs-cosine, lion-sign, prodigy-rate: Schedule-Free AdamW
// against a tuned cosine schedule, the size of Lion's update, Prodigy's estimate against a
// tuned rate). `descent theory` runs them and writes the report.
//
// # Claims and the catalogue
//
// A [Claim] has an ID, a [Kind], its place in the lecture (Source), the lecture's statement
// in our words, its criterion (short, and in full with the experiment as Protocol), the
// History of any change made to it after a result was seen, and a Run function. These texts
// are the catalogue: [Catalogue] lists the claims with the criteria in force, [Lookup] finds
// one, and [WriteCatalogue] writes them as Markdown — the file catalogue.md of this package,
// which a test keeps equal to it, and the output of `descent theory --list`. A criterion is
// written there before its experiment runs; what is checked is what it says.
//
// Run performs the experiment on an [Experiment]: it draws its instances from
// Experiment.Rand, records [Check] values, notes and figures, and returns an error only when
// it cannot run (MNIST missing, the run interrupted). Each constructor takes the bound or
// threshold its criterion states, so that the tests run every claim with a deliberately
// wrong one and see it fail.
//
// # Checks, margins and verdicts
//
// A Check compares the worst observation of an experiment with its limit, slack included,
// and keeps the relative Margin on the side where it holds: (limit − observed)/|limit| for
// an upper bound, the distance to the nearer end over the width for a range. A margin is
// negative exactly when the check fails. For curves and families of instances the worst
// point is kept, with where it was.
//
// A theorem fails if its bound is ever violated beyond its slack, which each claim states
// in its notes with its reason: a few units of roundoff of the values compared (64ε(|F| +
// |F*|) for a difference F(θₙ) − F*, a relative 1e-9 for bounds computed by Lanczos), or,
// for expectations over runs, four standard errors of the mean. Illustrations and
// theorem-like claims pass when the figure they measure lands in its range.
//
// # Errata
//
// Where the lecture is false as written, the catalogue marks the claim an erratum
// (Claim.Erratum): its experiment records the lecture's form as checks marked Lecture,
// expected to be violated on a counter-instance, and checks the corrected form
// ([ErratumNote]). The verdict is then ERRATUM, and FAIL if the lecture's form holds or the
// corrected form fails: the erratum belongs to the statement, never to the draws on which
// the lecture's form happened to fail. Four claims are errata: sgd-fixed-bound (the condition
// γ < L/2 and the units of 2γσ²/μ; the corrected form is Needell, Srebro and Ward's theorem
// 2.1, on the squared distance), sgd-decay-convex (γₙ ∝ 1/n does not give O(1/√n) without
// strong convexity; γₙ ∝ 1/√n with averaging does, Bach and Moulines), momentum-sgd (at the
// lecture's batch of 64 tuned momentum does not help SGD much — the two end level over fresh
// draws —; at a large batch it does) and adagrad-scale (a reparametrisation θ' = cθ does
// change Adagrad's trajectory; scaling the objective does not).
//
// # Precision
//
// The deterministic claims run in float64 (packages minimize and problem). The stochastic
// ones reuse the optimisers of package optim (and the schedulers of optim/lr) on float32
// parameters, the sampled gradients computed in float64 at the float32 iterate; float32 is
// precise enough there, as each claim says (its rounding is orders of magnitude below the
// plateaus and targets measured). The claims on a network (batch-sweet-spot, momentum-sgd,
// adam-first) train an MLP 784-128-10 (package model) on MNIST's training set, at the
// lecture's batch of 64, through package train's loop, the one of descent train and compare
// (a 784-64-10 MLP on 2000 images at the reduced size of the tests): train's steps give
// them their losses and step times, its evaluation their scores, and a run that reaches
// its target is stopped through its context. Their runs are memoised in [Data] and shared. Three claims use the lecture's Adagrad and Adam written out in float64:
// adagrad-scale (agreement to 1e-6 over hundreds of steps, with ε inside the root as the
// lecture writes it), adagrad-forgets-nothing (the step size is internal state of
// optim.Adagrad) and the lecture-form half of adam-bias (exactness to a unit of roundoff).
//
// # Determinism and speed
//
// Each claim draws from a PCG keyed by the seed and a hash of its ID: the same seed gives
// the same instances and figures whether a claim runs alone or in the catalogue, on one
// core or several. The one exception is batch-sweet-spot, whose figure is wall-clock time.
// [Run] runs the claims Config.Workers at a time (the cores, by default) and the Exclusive
// ones, which measure wall-clock time, alone at the end. [Data] loads MNIST once and shares
// the costly even-versus-odd problem (its L by Lanczos, its optimum) and the MLP runs
// between the claims that use them. The whole catalogue takes one to three minutes on two
// cores; Config.Quick runs the reduced sizes of the tests, in seconds, with the same
// criteria except where a claim states another (adam-first's reduced size, which cannot
// decide its statement, is a smoke test).
//
// # Report
//
// [Table] is the summary printed by the command; [Page] the report.html, with the errata,
// then for each claim its statement, place in the lecture, criterion, protocol and history
// (as the catalogue has them), then its notes, checks and figures.
package theory
