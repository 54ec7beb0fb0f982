package repocheck

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// outside matches a path that a clone of the repository does not contain: the development
// aids beside the repository, a file of one machine's home, work or module-cache folders, and
// the catalogue file that lived outside the repository. The patterns are split so that this
// file does not match itself.
var outside = regexp.MustCompile(strings.Join([]string{
	`\.\./` + `shared\b`,
	`(^|[^A-Za-z0-9._~/])/(work|root|home|Users)/[A-Za-z0-9._-]`,
	`[A-Za-z]:\\` + `Users\\`,
	`pkg/` + `mod/`,
	`CLAIMS` + `\.md`,
}, "|"))

// root returns the repository's top folder: the one above this package's that holds go.mod.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", dir, err)
	}
	return dir
}

// tracked returns the files of the repository, relative to top: those git tracks, or, where
// git or its metadata is missing (an exported tree), every file but the .git folder's.
func tracked(t *testing.T, top string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = top
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		var files []string
		for _, f := range bytes.Split(bytes.TrimRight(out, "\x00"), []byte{0}) {
			files = append(files, string(f))
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(top, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNothingOutside fails on any tracked text file that names a path outside the
// repository (see outside).
func TestNothingOutside(t *testing.T) {
	top := root(t)
	files := tracked(t, top)
	if len(files) < 50 {
		t.Fatalf("only %d files found under %s", len(files), top)
	}
	checked := 0
	for _, f := range files {
		if f == "go.sum" {
			continue // module checksums, not paths
		}
		b, err := os.ReadFile(filepath.Join(top, f))
		if os.IsNotExist(err) {
			continue // deleted in the working tree, not yet in git
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary: fixtures and images
		}
		checked++
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<24)
		for n := 1; sc.Scan(); n++ {
			if m := outside.FindString(sc.Text()); m != "" {
				t.Errorf("%s:%d names a path outside the repository (%q): %s", f, n, strings.TrimSpace(m), strings.TrimSpace(sc.Text()))
			}
		}
	}
	t.Logf("%d text files checked", checked)
}

// TestPatterns: the patterns catch what they are meant to, and not ordinary text.
func TestPatterns(t *testing.T) {
	for _, s := range []string{
		"see ../" + "shared/anchors/gemm.py",
		"ANCHORS=${ANCHORS:-/" + "work/shared/anchors}",
		"// (see /" + "root/go/pkg/" + "mod/github.com/x)",
		`"C:\` + `Users\me\data"`,
		"the catalogue of CLAIMS" + ".md",
		"open('/" + "home/alice/mnist')",
	} {
		if !outside.MatchString(s) {
			t.Errorf("%q is not caught", s)
		}
	}
	for _, s := range []string{
		"go run ./cmd/descent compare",
		"bench/reference.py step",
		"a/" + "work/b and /" + "workshop",
		"https://example.org/home/page",
		"theory/catalogue.md",
	} {
		if outside.MatchString(s) {
			t.Errorf("%q is caught, but names nothing outside", s)
		}
	}
}
