package report

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A Block is one element of a page section: [Text], [Pre], a [*Table], a [Figure] or a
// [Gallery].
type Block interface {
	html(pw *pageWriter)
}

var (
	_ Block = Text("")
	_ Block = Pre("")
	_ Block = (*Table)(nil)
	_ Block = Figure{}
	_ Block = Gallery(nil)
)

// Text is prose: paragraphs separated by blank lines; `backquoted` spans are code.
type Text string

// Pre is preformatted text: a command line, a table printed on stdout.
type Pre string

// A Figure is a chart with a caption. Its Name, if not empty, is the base name of the PNG
// and SVG files Page.WriteDir writes for it (e.g. "loss-vs-step"); names must be unique.
type Figure struct {
	Chart   Chart
	Caption string
	Name    string
}

// Gallery lays out figures in a grid, two or three to a row as the page is wide: the
// plots of many claims, the runs of a sweep.
type Gallery []Figure

// A Section is a titled part of a page.
type Section struct {
	Title  string
	Blocks []Block
}

// A Page is a self-contained HTML report: one file with its charts inlined as PNG data
// URIs and its style inline, that opens offline and references nothing outside itself.
// Commands build it from sections:
//
//	page := &report.Page{Title: "descent compare", Intro: "…"}
//	page.Add("Summary", summaryTable)
//	page.Add("Training loss", report.Figure{Chart: lossPlot, Caption: "…", Name: "loss-vs-step"})
//	page.Add("Configuration", report.FlagTable(fs))
//	m := report.ThisMachine()
//	page.Machine = &m
//	err := page.WriteDir(out)
type Page struct {
	Title    string
	Intro    Text
	Sections []Section
	// Machine, if not nil, is shown in a last section.
	Machine *Machine
}

// Add appends a section.
func (p *Page) Add(title string, blocks ...Block) {
	p.Sections = append(p.Sections, Section{Title: title, Blocks: blocks})
}

// A FigureError reports the figures that could not be drawn. The page is complete all the
// same: each such figure is replaced by a box that says why.
type FigureError struct {
	Errs []error
}

func (e *FigureError) Error() string {
	return fmt.Sprintf("report: %d figure(s) could not be drawn: %v", len(e.Errs), errors.Join(e.Errs...))
}

func (e *FigureError) Unwrap() []error { return e.Errs }

// WriteHTML writes the page. Every chart is drawn; a chart that cannot be drawn leaves a box
// in its place and the page is written whole, with a *FigureError returned after.
func (p *Page) WriteHTML(w io.Writer) error {
	pw := &pageWriter{pngs: map[string][]byte{}}
	return p.write(w, pw)
}

// WriteDir writes the page to dir/report.html and each named figure to dir/NAME.png and
// dir/NAME.svg, creating dir if needed. Files are written through a temporary file and a
// rename: a reader never sees half a page.
func (p *Page) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	pw := &pageWriter{pngs: map[string][]byte{}, keep: true}
	var page bytes.Buffer
	figErr := p.write(&page, pw)
	if err := writeFile(filepath.Join(dir, "report.html"), page.Bytes()); err != nil {
		return err
	}
	for _, f := range pw.named {
		png, ok := pw.pngs[f.Name]
		if !ok {
			continue // it could not be drawn: the FigureError says so
		}
		if err := writeFile(filepath.Join(dir, f.Name+".png"), png); err != nil {
			return err
		}
		var svg bytes.Buffer
		if err := WriteSVG(&svg, f.Chart); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, f.Name+".svg"), svg.Bytes()); err != nil {
			return err
		}
	}
	return figErr
}

// pageWriter holds the state of one rendering of a page.
type pageWriter struct {
	b       strings.Builder
	figures int
	tables  int
	errs    []error
	keep    bool              // keep the PNGs of named figures, for WriteDir
	pngs    map[string][]byte // by figure name
	named   []Figure
}

func (p *Page) write(w io.Writer, pw *pageWriter) error {
	seen := map[string]bool{}
	for _, s := range p.Sections {
		for _, b := range s.Blocks {
			var figs []Figure
			switch f := b.(type) {
			case Figure:
				figs = []Figure{f}
			case Gallery:
				figs = f
			}
			for _, f := range figs {
				if f.Name == "" {
					continue
				}
				if !validName.MatchString(f.Name) {
					panic(fmt.Sprintf("report: figure name %q is not a plain file name (letters, digits, - _ .)", f.Name))
				}
				if seen[f.Name] {
					panic(fmt.Sprintf("report: figure name %q is used twice", f.Name))
				}
				seen[f.Name] = true
			}
		}
	}
	b := &pw.b
	title := html.EscapeString(p.Title)
	fmt.Fprintf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"+
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", title, pageCSS)
	fmt.Fprintf(b, "<header><h1>%s</h1>", title)
	if p.Machine != nil && !p.Machine.Date.IsZero() {
		fmt.Fprintf(b, "<p class=\"date\">%s</p>", html.EscapeString(p.Machine.Date.Format("Monday 2 January 2006, 15:04 MST")))
	}
	b.WriteString("</header>\n")
	p.Intro.html(pw)
	sections := p.Sections
	if p.Machine != nil {
		sections = append(sections[:len(sections):len(sections)], Section{Title: "Machine", Blocks: []Block{p.Machine.Table()}})
	}
	if len(sections) > 2 {
		b.WriteString("<nav><ul>")
		for i, s := range sections {
			fmt.Fprintf(b, "<li><a href=\"#s%d\">%s</a></li>", i+1, html.EscapeString(s.Title))
		}
		b.WriteString("</ul></nav>\n")
	}
	for i, s := range sections {
		fmt.Fprintf(b, "<section id=\"s%d\">\n<h2>%s</h2>\n", i+1, html.EscapeString(s.Title))
		for _, blk := range s.Blocks {
			blk.html(pw)
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("<footer>Made by descent. This page is self-contained: its images are inlined and it loads nothing.</footer>\n</body>\n</html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if len(pw.errs) > 0 {
		return &FigureError{Errs: pw.errs}
	}
	return nil
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

var codeSpan = regexp.MustCompile("`([^`]+)`")

func (t Text) html(pw *pageWriter) {
	for _, para := range strings.Split(strings.TrimSpace(string(t)), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		esc := html.EscapeString(para)
		esc = codeSpan.ReplaceAllString(esc, "<code>$1</code>")
		fmt.Fprintf(&pw.b, "<p>%s</p>\n", esc)
	}
}

func (t Pre) html(pw *pageWriter) {
	fmt.Fprintf(&pw.b, "<pre>%s</pre>\n", html.EscapeString(strings.TrimRight(string(t), "\n")))
}

func (t *Table) html(pw *pageWriter) {
	b := &pw.b
	pw.tables++
	num := t.numeric()
	b.WriteString("<div class=\"table\"><table>\n")
	if t.Caption != "" {
		fmt.Fprintf(b, "<caption>Table %d. %s</caption>\n", pw.tables, html.EscapeString(t.Caption))
	}
	if strings.Join(t.Header, "") != "" {
		b.WriteString("<thead><tr>")
		for j, h := range t.Header {
			fmt.Fprintf(b, "<th%s>%s</th>", numClass(num[j]), html.EscapeString(h))
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for _, r := range t.Rows {
		if c := r.Mark.class(); c != "" {
			fmt.Fprintf(b, "<tr class=\"%s\">", c)
		} else {
			b.WriteString("<tr>")
		}
		for j, c := range r.Cells {
			fmt.Fprintf(b, "<td%s>%s</td>", numClass(num[j]), html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table>")
	if t.Note != "" {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>", html.EscapeString(t.Note))
	}
	b.WriteString("</div>\n")
}

func numClass(num bool) string {
	if num {
		return ` class="num"`
	}
	return ""
}

func (f Figure) html(pw *pageWriter) {
	pw.figure(f)
}

func (g Gallery) html(pw *pageWriter) {
	pw.b.WriteString("<div class=\"gallery\">\n")
	for _, f := range g {
		pw.figure(f)
	}
	pw.b.WriteString("</div>\n")
}

// figure draws f and writes it as an <img> with a data URI, shown at its size in CSS
// pixels (the PNG has twice as many pixels).
func (pw *pageWriter) figure(f Figure) {
	b := &pw.b
	pw.figures++
	caption := html.EscapeString(f.Caption)
	var png bytes.Buffer
	err := WritePNG(&png, f.Chart)
	if err != nil {
		pw.errs = append(pw.errs, fmt.Errorf("figure %d (%s): %w", pw.figures, f.Name, err))
		fmt.Fprintf(b, "<figure><div class=\"missing\">This figure could not be drawn: %s</div>"+
			"<figcaption><b>Figure %d.</b> %s</figcaption></figure>\n", html.EscapeString(err.Error()), pw.figures, caption)
		return
	}
	if f.Name != "" && pw.keep {
		pw.pngs[f.Name] = png.Bytes()
		pw.named = append(pw.named, f)
	}
	w, h := f.Chart.Size()
	fmt.Fprintf(b, "<figure><img src=\"data:image/png;base64,%s\" width=\"%d\" height=\"%d\" alt=\"%s\">"+
		"<figcaption><b>Figure %d.</b> %s</figcaption></figure>\n",
		base64.StdEncoding.EncodeToString(png.Bytes()), int(w.Dots(96)+0.5), int(h.Dots(96)+0.5),
		caption, pw.figures, caption)
}

// pageCSS is the page's whole style: system fonts, tables with tabular figures, marked rows
// in the palette's hues, images that shrink to the window.
const pageCSS = `
:root{--ink:#1b1f24;--muted:#57606a;--rule:#d8dee4;--bg:#ffffff;--panel:#f6f8fa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1180px;padding:28px 32px 48px;background:var(--bg);color:var(--ink);
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif}
header{border-bottom:2px solid var(--ink);margin-bottom:18px}
h1{font-size:28px;margin:0 0 4px}
.date{color:var(--muted);margin:0 0 10px}
h2{font-size:21px;margin:34px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--rule)}
nav ul{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 18px}
nav a{color:#0b5cad;text-decoration:none}nav a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,"SFMono-Regular","Liberation Mono",Menlo,Consolas,monospace;font-size:13px}
code{background:var(--panel);padding:1px 4px;border-radius:3px}
pre{background:var(--panel);border:1px solid var(--rule);border-radius:6px;padding:10px 12px;overflow-x:auto}
.table{overflow-x:auto;margin:12px 0 18px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;min-width:40%}
caption{text-align:left;font-weight:600;padding:0 0 6px}
th,td{padding:5px 12px;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;border-bottom:2px solid #b9c1ca}
td.num,th.num{text-align:right}
tr.good td{background:#e6f4ec}tr.good td:first-child{box-shadow:inset 4px 0 #009E73}
tr.bad td{background:#fbe4dc}tr.bad td:first-child{box-shadow:inset 4px 0 #D55E00}
tr.warn td{background:#fdf3d7}tr.warn td:first-child{box-shadow:inset 4px 0 #E69F00}
.note{color:var(--muted);font-size:13px;margin:6px 0 0}
figure{margin:16px 0 26px}
figure img{display:block;max-width:100%;height:auto;border:1px solid var(--rule);border-radius:4px}
figcaption{color:#333;font-size:14px;margin-top:6px;max-width:820px}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:4px 22px}
.missing{border:2px dashed #D55E00;color:#8a3b00;padding:28px;background:#fff7f3}
footer{margin-top:40px;color:var(--muted);font-size:13px;border-top:1px solid var(--rule);padding-top:8px}
@media print{nav{display:none}figure{break-inside:avoid}}
`
