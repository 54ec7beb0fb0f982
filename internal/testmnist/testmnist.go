// Package testmnist gives tests the MNIST data set already on the machine, never fetching it.
//
// A test that needs MNIST calls [Data] or [Dir]. When the files are not in $MNIST_DIR or
// descent's cache, the test is skipped; but when the environment variable
// DESCENT_REQUIRE_DATA is 1 (as CI sets it, after fetching MNIST into the cache) it fails
// instead, so that a test which needs the data can never pass by being skipped.
package testmnist

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/descent-ml/descent/data/mnist"
)

// RequireEnv is the environment variable that turns a missing data set from a skip into a
// failure.
const RequireEnv = "DESCENT_REQUIRE_DATA"

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
