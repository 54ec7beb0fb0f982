package report

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mark highlights a row of a [Table]: a diverged run, a failed or passed claim.
type Mark int

// The marks of a row.
const (
	Plain Mark = iota
	Good       // green in HTML: a claim that passed, the best run
	Bad        // red in HTML: a run that diverged, a claim that failed
	Warn       // amber in HTML: an erratum, an interrupted run
)

func (m Mark) class() string {
	switch m {
	case Good:
		return "good"
	case Bad:
		return "bad"
	case Warn:
		return "warn"
	}
	return ""
}

// A Row is one row of a Table.
type Row struct {
	Cells []string
	Mark  Mark
}

// A Table is a table of text cells, written to the HTML page, as aligned text on a
// terminal or as CSV. Columns whose cells all read as numbers are right-aligned.
type Table struct {
	Caption string
	Header  []string
	Rows    []Row
	Note    string // a line under the table
}

// NewTable returns an empty table with the given caption and column names.
func NewTable(caption string, header ...string) *Table {
	return &Table{Caption: caption, Header: header}
}

// Add appends a row; it panics if the number of cells is not the number of columns.
func (t *Table) Add(mark Mark, cells ...string) {
	if len(cells) != len(t.Header) {
		panic(fmt.Sprintf("report: row of %d cells in table %q of %d columns", len(cells), t.Caption, len(t.Header)))
	}
	t.Rows = append(t.Rows, Row{Cells: cells, Mark: mark})
}

// numeric reports for each column whether all its non-empty cells read as numbers (a
// trailing %, a "± x" part and a leading +/− allowed).
func (t *Table) numeric() []bool {
	num := make([]bool, len(t.Header))
	for j := range t.Header {
		num[j] = true
		seen := false
		for _, r := range t.Rows {
			c := strings.TrimSpace(r.Cells[j])
			if c == "" || c == "—" {
				continue
			}
			seen = true
			if before, _, ok := strings.Cut(c, " ± "); ok {
				c = before
			}
			c = strings.TrimSuffix(c, "%")
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				num[j] = false
				break
			}
		}
		num[j] = num[j] && seen
	}
	return num
}

// WriteText writes the table as aligned columns, for a terminal: the caption, the header,
// a rule, the rows and the note.
func (t *Table) WriteText(w io.Writer) error {
	width := make([]int, len(t.Header))
	for j, h := range t.Header {
		width[j] = utf8.RuneCountInString(h)
	}
	for _, r := range t.Rows {
		for j, c := range r.Cells {
			width[j] = max(width[j], utf8.RuneCountInString(c))
		}
	}
	num := t.numeric()
	var b strings.Builder
	line := func(cells []string) {
		for j, c := range cells {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if j > 0 {
				b.WriteString("  ")
			}
			if num[j] {
				b.WriteString(pad + c)
			} else if j < len(cells)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n")
	}
	line(t.Header)
	total := 2 * (len(width) - 1)
	for _, wd := range width {
		total += wd
	}
	b.WriteString(strings.Repeat("─", total) + "\n")
	for _, r := range t.Rows {
		line(r.Cells)
	}
	if t.Note != "" {
		b.WriteString(t.Note + "\n")
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteCSV writes the header and the rows as CSV (no caption, note or marks).
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(t.Header)
	for _, r := range t.Rows {
		cw.Write(r.Cells)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// FlagTable returns the configuration of a command as a table: every flag of fs with its
// value and its default, in name order; rows of flags set on the command line are marked
// Good.
func FlagTable(fs *flag.FlagSet) *Table {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	t := NewTable("Configuration", "flag", "value", "default", "meaning")
	fs.VisitAll(func(f *flag.Flag) {
		mark := Plain
		if set[f.Name] {
			mark = Good
		}
		_, usage := flag.UnquoteUsage(f)
		if i := strings.IndexByte(usage, '\n'); i >= 0 {
			usage = usage[:i]
		}
		t.Add(mark, "--"+f.Name, f.Value.String(), f.DefValue, usage)
	})
	t.Note = "Highlighted: set on the command line."
	return t
}
