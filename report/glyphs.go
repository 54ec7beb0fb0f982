package report

import (
	"strings"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"
)

// fallbacks replace characters that Liberation Sans lacks and that charts are likely to be
// given, so that "10⁻³" does not print as "10³".
var fallbacks = map[rune]string{
	'⁻': "^-", '⁰': "^0", '⁴': "^4", '⁵': "^5", '⁶': "^6", '⁷': "^7", '⁸': "^8", '⁹': "^9",
	'ₙ': "_n", 'ₖ': "_k", 'ₜ': "_t", '∇': "grad ", '∑': "sum ", '∞': "inf", '≈': "~",
}

var glyphs struct {
	once sync.Once
	font *sfnt.Font
	mu   sync.Mutex
	has  map[rune]bool
}

// hasGlyph reports whether the chart font can draw r.
func hasGlyph(r rune) bool {
	if r < 0x7f {
		return true
	}
	glyphs.once.Do(func() {
		f, err := sfnt.Parse(liberationsansregular.TTF)
		if err != nil {
			panic("report: parsing Liberation Sans: " + err.Error())
		}
		glyphs.font = f
		glyphs.has = map[rune]bool{}
	})
	glyphs.mu.Lock()
	defer glyphs.mu.Unlock()
	has, ok := glyphs.has[r]
	if !ok {
		var b sfnt.Buffer
		i, err := glyphs.font.GlyphIndex(&b, r)
		has = err == nil && i != 0
		glyphs.has[r] = has
	}
	return has
}

// drawable returns s with each character the chart font lacks replaced by an ASCII
// spelling ("⁻" by "^-", "ₙ" by "_n") or by "?", so that nothing vanishes silently from a
// chart.
func drawable(s string) string {
	ok := true
	for _, r := range s {
		if !hasGlyph(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case hasGlyph(r):
			b.WriteRune(r)
		case fallbacks[r] != "":
			b.WriteString(fallbacks[r])
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
