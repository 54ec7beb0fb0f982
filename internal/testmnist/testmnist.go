// Package testmnist gives tests the MNIST data set already on the machine, never fetching it.
//
// A test that needs MNIST calls [Data] or [Dir]. When the files are not in $MNIST_DIR or
// descent's cache, the test is skipped; but when the environment variable
// DESCENT_REQUIRE_DATA is 1 (as CI sets it, after fetching MNIST into the cache) it fails
// instead, so that a test which needs the data can never pass by being skipped.
//
// When DESCENT_DATA_LOG names a file, every test that asks for MNIST appends one line to
// it as it ends: its outcome (PASS, FAIL or SKIP), its test binary and its name. CI prints
// that file, so its log lists the tests that ran on MNIST and shows that none was skipped.
package testmnist

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/descent-ml/descent/data/mnist"
)

// RequireEnv is the environment variable that turns a missing data set from a skip into a
// failure.
const RequireEnv = "DESCENT_REQUIRE_DATA"

// LogEnv is the environment variable naming the file where the tests that asked for MNIST
// are recorded with their outcome.
const LogEnv = "DESCENT_DATA_LOG"

// Required reports whether tests must fail, rather than skip, when MNIST is missing.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

var load = sync.OnceValues(func() (*mnist.Data, error) {
	spec, err := mnist.Lookup("mnist")
	if err != nil {
		return nil, err
	}
	return mnist.Load(context.Background(), spec, mnist.Options{Offline: true})
})

// Data returns MNIST, loaded once per test binary from $MNIST_DIR or the cache. If it is
// missing, t is skipped, or failed under DESCENT_REQUIRE_DATA=1.
func Data(t testing.TB) *mnist.Data {
	t.Helper()
	record(t)
	d, err := load()
	if err != nil {
		Missing(t, err)
	}
	return d
}

// Dir returns the folder MNIST's four files were read from (see [Data]).
func Dir(t testing.TB) string {
	t.Helper()
	return Data(t).Dir
}

// Missing ends t because MNIST is not available, with err as the reason: a skip, or a
// failure under DESCENT_REQUIRE_DATA=1.
func Missing(t testing.TB, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("MNIST is required (%s=1) but not available: %v", RequireEnv, err)
	}
	t.Skipf("MNIST is not available offline (run descent data fetch, or set MNIST_DIR): %v", err)
}

// recorded holds the names of the tests whose outcome record has been arranged.
var recorded sync.Map

// record arranges, once per test, for t's outcome to be appended to the file named by
// $DESCENT_DATA_LOG when t ends.
func record(t testing.TB) {
	path := os.Getenv(LogEnv)
	if path == "" {
		return
	}
	if _, dup := recorded.LoadOrStore(t.Name(), true); dup {
		return
	}
	bin := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	t.Cleanup(func() {
		outcome := "PASS"
		switch {
		case t.Failed():
			outcome = "FAIL"
		case t.Skipped():
			outcome = "SKIP"
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Errorf("testmnist: %s: %v", LogEnv, err)
			return
		}
		defer f.Close()
		// One write per line: O_APPEND keeps the lines of parallel test binaries whole.
		if _, err := fmt.Fprintf(f, "%s %s %s\n", outcome, bin, t.Name()); err != nil {
			t.Errorf("testmnist: %s: %v", LogEnv, err)
		}
	})
}
