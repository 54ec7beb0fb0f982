package model

import (
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/nn"
	"github.com/descent-ml/descent/tensor"
)

// The fixtures of testdata/ are written by testdata/torch_export.py (PyTorch, float64).

// weightValues is weight_values of torch_export.py: float32(bound·(2u − 1)) with u the top
// 53 bits of SplitMix64's finaliser of ((index+1)<<32 | j), over 2⁵³.
func weightValues(dst []float32, index int, bound float64) {
	for j := range dst {
		z := uint64(index+1)<<32 + uint64(j) + 0x9e3779b97f4a7c15
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		z ^= z >> 31
		u := float64(z>>11) * (1.0 / (1 << 53))
		dst[j] = float32(bound * (2*u - 1))
	}
}

func readFixture(t *testing.T, path string) map[string]*tensor.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r interface{ Read([]byte) (int, error) } = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	ts, err := nn.ReadTensors(r)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]*tensor.Tensor)
	for _, e := range ts {
		m[e.Name] = e.Tensor
	}
	return m
}

func labelsOf(y *tensor.Tensor) []int {
	out := make([]int, y.Len())
	for i, v := range y.Data() {
		out[i] = int(v)
	}
	return out
}

// relErr returns max|a − b| / max|b|.
func relErr(a, b []float32) float64 {
	var d, s float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
		s = max(s, math.Abs(float64(b[i])))
	}
	return d / s
}

func TestMatchesPyTorch(t *testing.T) {
	for _, tc := range []struct {
		file string
		m    nn.Module
	}{
		{"testdata/torch_mlp.bin.gz", NewMLP([]int{300, 100}, rand.New(rand.NewPCG(1, 1)))},
		{"testdata/torch_cnn.bin.gz", NewCNN(true, rand.New(rand.NewPCG(1, 1)))},
	} {
		t.Run(tc.file, func(t *testing.T) {
			fx := readFixture(t, tc.file)
			nn.SetTraining(tc.m, false) // dropout off, as the reference
			ps := tc.m.Parameters()
			bounds := fx["bounds"].Data()
			if len(bounds) != len(ps) {
				t.Fatalf("fixture has %d bounds, model %d parameters", len(bounds), len(ps))
			}
			for i, p := range ps {
				weightValues(p.Var.Value.Data(), i, float64(bounds[i]))
			}
			tp := autodiff.NewTape()
			loss := tp.NLLLoss(tc.m.Forward(tp, tp.Const(fx["x"])), labelsOf(fx["y"]))
			tp.Backward(loss)
			want := float64(fx["loss"].Data()[0])
			if e := math.Abs(float64(loss.Item())-want) / math.Abs(want); e > 1e-4 {
				t.Errorf("loss %v, PyTorch %v (relative error %.2e)", loss.Item(), want, e)
			} else {
				t.Logf("loss %v, PyTorch %v (relative error %.2e)", loss.Item(), want, e)
			}
			for _, p := range ps {
				g := fx["grad."+p.Name]
				if g == nil || g.Len() != p.Var.Grad.Len() {
					t.Fatalf("%s: no gradient of the right size in the fixture", p.Name)
				}
				// The tolerance is relative to the gradient's scale: elements much smaller than
				// the largest are differences of nearly cancelling sums, where the rounding of
				// either implementation dominates (PyTorch's own float32 gradient is quoted).
				e := relErr(p.Var.Grad.Data(), g.Data())
				msg := fmt.Sprintf("%-13s max|grad − torch| / max|torch| = %.2e (torch float32: %.2e)",
					p.Name, e, fx["torch32err."+p.Name].Data()[0])
				if e > 1e-4 {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
		})
	}
}
