package optim

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// numpyReference is testdata/numpy_reference.json, written by
// testdata/gen_numpy_reference.py from float64 NumPy restatements of the reference
// implementations of the optimisers torch 1.13 lacks (testdata/ref_*.py): for each case,
// 100 steps on the problem of [problem.grad] with four parameters, and the parameters after
// each step in float64.
type numpyReference struct {
	Steps  int
	Names  []string
	Shapes map[string][]int
	X0     map[string]string
	A, C   map[string]string
	S      map[string]string
	Noise  []map[string]string
	Cases  []refCase
}

// numpyTolerance is the parity criterion, fixed before the fixture was generated: after
// every step, every element x of the float32 run and r of the float64 reference satisfy
// |x - r| ≤ 1e-5·max(|r|, 1), relative to the parameter where it is at least 1 and
// absolute below (the parameters of the problem are of order 1, and float32 rounding is
// relative to that scale, not to a coordinate that passes near 0).
//
// The cases where the restatement itself, run in float32, strays from its float64 run by
// more than half of it (gen_numpy_reference.py explains which and why: Prodigy from d0 =
// 1e-6, Muon through a near-singular momentum) are compared at the same tolerance with
// that float32 run instead; every optimiser has at least 4 cases compared with float64.
const numpyTolerance = 1e-5

func f64s(t testing.TB, s string) []float64 {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, len(b)/8)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x
}

func loadNumpyReference(t testing.TB) *numpyReference {
	b, err := os.ReadFile("testdata/numpy_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r numpyReference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// newNumpyProblem returns the fixture's problem with fresh parameters, in the fixture's
// order (w, then the parameters of group 1).
func newNumpyProblem(t testing.TB, r *numpyReference, negate bool) *problem {
	pr := &problem{negate: negate}
	for _, name := range r.Names {
		x := f32s(t, r.X0[name])
		pr.params = append(pr.params, &Param{Name: name, Shape: r.Shapes[name], Value: x, Grad: make([]float32, len(x))})
		pr.a = append(pr.a, f32s(t, r.A[name]))
		pr.c = append(pr.c, f32s(t, r.C[name]))
		pr.s = append(pr.s, f32s(t, r.S[name]))
	}
	for _, n := range r.Noise {
		var step [][]float32
		for _, name := range r.Names {
			step = append(step, f32s(t, n[name]))
		}
		pr.noise = append(pr.noise, step)
	}
	return pr
}

// numpyCaseName names a case for subtests and messages.
func numpyCaseName(c refCase) string {
	name := c.Optimizer + "(" + c.Options + ")"
	if c.Group1 != nil {
		name += "+(" + *c.Group1 + ")"
	}
	return name
}

// TestNumpyReferenceTrajectories runs every case of the NumPy fixture through the registry
// and requires every parameter after every step to be within numpyTolerance of the float64
// reference (of the float32 one for the cases float32 cannot follow in float64); it logs
// each case's largest deviation |x - r|/max(|r|, 1) from both.
func TestNumpyReferenceTrajectories(t *testing.T) {
	r := loadNumpyReference(t)
	covered := map[string]int{}
	for _, c := range r.Cases {
		if c.Conditioned {
			covered[c.Optimizer]++
		}
		t.Run(numpyCaseName(c), func(t *testing.T) {
			pr := newNumpyProblem(t, r, c.Negate)
			o := c.build(t, pr)
			ref64 := f64s(t, c.Trajectory)
			want, what := ref64, "float64"
			if !c.Conditioned {
				want, what = nil, "float32"
				for _, x := range f32s(t, c.Trajectory32) {
					want = append(want, float64(x))
				}
				if len(want) != len(ref64) {
					t.Fatalf("the float32 trajectory has %d values, the float64 one %d", len(want), len(ref64))
				}
			}
			worst, worst64, at := 0.0, 0.0, ""
			off := 0
			for k := range r.Steps {
				pr.step(t, o, k)
				for _, p := range pr.params {
					for j, v := range p.Value {
						w := want[off]
						dev := math.Abs(float64(v)-w) / math.Max(math.Abs(w), 1)
						worst64 = max(worst64, math.Abs(float64(v)-ref64[off])/math.Max(math.Abs(ref64[off]), 1))
						off++
						if !(dev <= numpyTolerance) {
							t.Fatalf("step %d: %s[%d] = %v, %s reference %v: deviation %.3g exceeds %g", k+1, p.Name, j, v, what, w, dev, numpyTolerance)
						}
						if dev > worst {
							worst, at = dev, p.Name
						}
					}
				}
			}
			if off != len(want) {
				t.Fatalf("compared %d values, the fixture has %d", off, len(want))
			}
			t.Logf("largest deviation from the %s reference %.3g (%s); from float64 %.3g", what, worst, at, worst64)
		})
	}
	for _, name := range numpyOptimizers {
		if covered[name] < 4 {
			t.Errorf("%s has %d NumPy reference cases compared with float64, want at least 4", name, covered[name])
		}
	}
}

// numpyOptimizers are the registry's optimisers whose reference is the NumPy fixture (not
// torch 1.13's).
var numpyOptimizers = []string{"lion", "adafactor", "muon", "schedulefree-adamw", "schedulefree-sgd", "prodigy", "lamb", "lars"}

func isNumpyReferenced(name string) bool { return slices.Contains(numpyOptimizers, name) }

// TestNumpyResumeBitIdentical saves every NumPy fixture case's optimiser at step 37, loads
// the state into a fresh optimiser over a copy of the parameters and checks that steps 38
// to 100 are bit-identical to the uninterrupted run. The schedule-free cases also switch to
// x and back (Eval, Train) around the save, as a training loop that evaluates and
// checkpoints does, which must not change a bit either.
func TestNumpyResumeBitIdentical(t *testing.T) {
	r := loadNumpyReference(t)
	for _, c := range r.Cases {
		t.Run(numpyCaseName(c), func(t *testing.T) {
			pa := newNumpyProblem(t, r, c.Negate)
			a := c.build(t, pa)
			for k := range 37 {
				pa.step(t, a, k)
			}
			ms, switches := a.(ModeSwitcher)
			if switches {
				ms.Eval()
			}
			var buf bytes.Buffer
			if err := a.(Stateful).Save(&buf); err != nil {
				t.Fatal(err)
			}
			pb := newNumpyProblem(t, r, c.Negate)
			for i := range pb.params {
				copy(pb.params[i].Value, pa.params[i].Value)
			}
			b := c.build(t, pb)
			if err := b.(Stateful).Load(&buf); err != nil {
				t.Fatal(err)
			}
			if switches {
				if !b.(ModeSwitcher).Evaluating() {
					t.Fatal("the loaded state is not in evaluation mode, the saved one was")
				}
				ms.Train()
				b.(ModeSwitcher).Train()
			}
			for k := 37; k < r.Steps; k++ {
				pa.step(t, a, k)
				pb.step(t, b, k)
				for i := range pa.params {
					for j, v := range pa.params[i].Value {
						if w := pb.params[i].Value[j]; math.Float32bits(v) != math.Float32bits(w) {
							t.Fatalf("step %d: %s[%d] resumed %v, uninterrupted %v", k+1, pa.params[i].Name, j, w, v)
						}
					}
				}
			}
		})
	}
}
