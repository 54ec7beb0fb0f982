package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/descent-ml/descent/internal/atomicfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "state.json")

	// Whole data in memory.
	if err := atomicfile.WriteFile(path, []byte(`{"epoch": 1}`)); err != nil {
		panic(err)
	}

	// Streamed data: nothing replaces the file until Commit.
	f, err := atomicfile.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close() // removes the temporary file if Commit is not reached
	fmt.Fprint(f, `{"epoch": 2}`)
	before, _ := os.ReadFile(path)
	if err := f.Commit(); err != nil {
		panic(err)
	}
	after, _ := os.ReadFile(path)
	fmt.Printf("%s → %s\n", before, after)
	// Output: {"epoch": 1} → {"epoch": 2}
}
