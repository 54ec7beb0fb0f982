package mnist_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data/idx"
	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/internal/testmnist"
)

// splitFiles pairs the sets of d with the files they come from.
func splitFiles(d *mnist.Data) []struct {
	set            *mnist.Set
	images, labels mnist.File
} {
	return []struct {
		set            *mnist.Set
		images, labels mnist.File
	}{{d.Train, d.Spec.TrainImages, d.Spec.TrainLabels}, {d.Test, d.Spec.TestImages, d.Spec.TestLabels}}
}

// TestMNISTBytes checks that MNIST loaded from a cache, by its first load (which
// decompresses the .gz files and keeps their decompressed copies) and by the next (which
// reads the copies), holds the bytes of the published .gz files decoded on their own.
func TestMNISTBytes(t *testing.T) {
	d := testmnist.Data(t)
	opts := mnist.Options{CacheDir: t.TempDir(), Offline: true}
	cache := filepath.Join(opts.CacheDir, d.Spec.Name)
	copyGz(t, d, cache)
	for _, load := range []string{"first", "second"} {
		e, err := mnist.Load(context.Background(), d.Spec, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, sf := range splitFiles(e) {
			for _, f := range []mnist.File{sf.images, sf.labels} {
				a, err := idx.ReadFile(filepath.Join(d.Dir, f.Name))
				if err != nil {
					t.Fatal(err)
				}
				got := sf.set.Labels
				if f == sf.images {
					got = sf.set.Images
				}
				if !bytes.Equal(got, a.U8) {
					t.Errorf("%s load: %s: the loaded bytes are not the file's", load, f.Name)
				}
				if _, err := os.Stat(filepath.Join(cache, strings.TrimSuffix(f.Name, ".gz"))); err != nil {
					t.Errorf("%s load: no decompressed copy of %s: %v", load, f.Name, err)
				}
			}
		}
	}
}

// copyGz copies the four .gz files of d into dir.
func copyGz(t testing.TB, d *mnist.Data, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range d.Spec.Files() {
		b, err := os.ReadFile(filepath.Join(d.Dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkLoad measures the loading of MNIST from a cache, offline: "gz" decompresses the
// .gz files at every load (a spec without RawSHA256), "decompressed" reads the copies kept
// by a first load. Both check the .gz files' SHA-256 (Fetch). One op is one load.
func BenchmarkLoad(b *testing.B) {
	d := testmnist.Data(b)
	gzOnly := d.Spec
	for _, f := range []*mnist.File{&gzOnly.TrainImages, &gzOnly.TrainLabels, &gzOnly.TestImages, &gzOnly.TestLabels} {
		f.RawSize, f.RawSHA256 = 0, ""
	}
	for _, bc := range []struct {
		name string
		spec mnist.Spec
	}{{"gz", gzOnly}, {"decompressed", d.Spec}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := mnist.Options{CacheDir: b.TempDir(), Offline: true}
			copyGz(b, d, filepath.Join(opts.CacheDir, d.Spec.Name))
			if _, err := mnist.Load(context.Background(), bc.spec, opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mnist.Load(context.Background(), bc.spec, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
