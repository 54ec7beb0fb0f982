// Package report draws the figures and writes the pages of descent's commands: compare,
// train, sweep, minimize and theory.
//
// # Charts
//
// Three kinds of [Chart], drawn with gonum/plot to PNG ([WritePNG], at [PNGDPI]) and SVG
// ([WriteSVG]), or both ([Save]):
//
//   - [LinePlot]: series against iterations, steps, epochs or seconds, on linear or log axes,
//     optionally smoothed ([EMA], [Window]), each series the mean of its runs (seeds) with a
//     band ([BandStd], [BandMinMax]). A run that diverged stops at its last finite point,
//     marked by a cross and labelled "diverged at step N"; its blow-up is clipped so the
//     axes stay those of the other series. A series of Role [Bound] is dashed: the theory
//     plots draw a bound over what was observed.
//   - [Heatmap]: a 2-D sweep, one annotated cell per trial, viridis colours, diverged cells
//     grey, the best cell outlined.
//   - [BarChart]: one figure per run (final test accuracy), with its spread over seeds.
//
// Defaults are made to be read: 8 × 4.5 inch charts, Liberation Sans, the colour-blind-safe
// [Palette] of Okabe and Ito with dash patterns past seven series, legends beside or under
// the axes and never over the data, tick labels with no needless digits ([FormatValue]).
//
// # Any data
//
// A chart of any values is drawn, or refused with an error, in bounded time and memory:
// NaN and infinities, values that differ only in their last bit, subnormal values (5e-324)
// and values near the float64 limit (1e308) included. An axis over a range too narrow to
// label (its ends equal to 12 significant digits) is widened as for a constant; an axis has
// at most 100 ticks, labelled apart; differences that overflow (1e308 − (−1e308)) are taken
// in halves; smoothed or averaged points that overflow are left out. [WritePNG] refuses a
// chart of more than 100 million pixels, and a single point is drawn as a dot.
//
// # Pages
//
// A [Page] is built from sections of blocks: [Text], [Pre], [*Table], [Figure] and
// [Gallery]. [Page.WriteHTML] writes one self-contained HTML file (inline style, charts as
// PNG data URIs; no script, no link, no network); [Page.WriteDir] also writes each named
// figure as PNG and SVG beside report.html. [FlagTable] turns a command's flags into its
// configuration table and [ThisMachine] describes the machine (CPU, cores, Go, OS, date).
// Each command composes its own page:
//
//	page := &report.Page{Title: "descent compare"}
//	page.Add("Summary", report.SummaryTable("…", sums))
//	page.Add("Training", report.Figure{Chart: loss, Caption: "…", Name: "loss-vs-step"})
//	page.Add("Configuration", report.FlagTable(fs))
//
// # Results
//
// Training loops write results.jsonl with package [github.com/descent-ml/descent/report/results];
// [SeriesOf] turns its runs into the series of a line plot, and [SummaryTable] its
// [results.Summary] into a table, so a report can be rebuilt from a finished or interrupted
// run.
//
// # Glyphs
//
// Chart text is drawn with Liberation Sans, which has Greek letters, ‖, −, ≤, ±, ¹ ² ³, ⁿ, ᵢ
// and ₀ … ₉, but not ₙ, ⁻, ⁰ or ∇. Charts replace a character the font lacks with an ASCII
// spelling ("⁻" with "^-", "ₙ" with "_n") or "?", so that nothing vanishes unseen; write
// labels with the characters it has.
package report
