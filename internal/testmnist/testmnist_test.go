package testmnist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecord: with DESCENT_DATA_LOG set, each test that asks for the data leaves one line
// with its outcome, however often it asks.
func TestRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mnist-tests.log")
	t.Setenv(LogEnv, path)
	t.Run("passes", func(t *testing.T) { record(t); record(t) })
	t.Run("skips", func(t *testing.T) { record(t); t.Skip("no data") })
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bin := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	want := "PASS " + bin + " TestRecord/passes\nSKIP " + bin + " TestRecord/skips\n"
	if string(b) != want {
		t.Errorf("log:\n%s\nwant:\n%s", b, want)
	}
}
