package optim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// reference is testdata/reference.json, written by testdata/gen_reference.py with PyTorch:
// for each case, 100 steps of an optimiser on the problem of [problem.grad], and the
// parameters after each step.
type reference struct {
	Torch  string
	Steps  int
	Shapes map[string][]int
	X0     map[string]string
	A, C   map[string]string
	S      map[string]string
	Noise  []map[string]string
	Cases  []refCase
}

type refCase struct {
	Optimizer  string
	Options    string
	Group1     *string
	Negate     bool
	Trajectory string

	// The NumPy fixture's: whether a float32 run can follow the float64 trajectory, and
	// where it cannot, the restatement's own float32 trajectory.
	Conditioned  bool
	Trajectory32 string
}

func f32s(t testing.TB, s string) []float32 {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x
}

func loadReference(t testing.TB) *reference {
	r, err := readReference()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readReference() (*reference, error) {
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		return nil, err
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// problem is the fixtures' objective: for each parameter, elementwise,
// f = a/2 (x-c)² + s/4 x⁴ + n_t·x with gradient g = a(x-c) + s·x·x·x + n_t, computed in
// float32 in the generator's order (negated for the maximize cases), and the loss in float64
// in the generator's order (loss64 of gen_reference.py, which says why float64).
type problem struct {
	params  []*Param // w, b
	a, c, s [][]float32
	noise   [][][]float32 // [step][param]
	negate  bool
}

func newProblem(t testing.TB, r *reference, negate bool) *problem {
	pr := &problem{negate: negate}
	for _, name := range []string{"w", "b"} {
		x := f32s(t, r.X0[name])
		pr.params = append(pr.params, &Param{Name: name, Shape: r.Shapes[name], Value: x, Grad: make([]float32, len(x))})
		pr.a = append(pr.a, f32s(t, r.A[name]))
		pr.c = append(pr.c, f32s(t, r.C[name]))
		pr.s = append(pr.s, f32s(t, r.S[name]))
	}
	for _, n := range r.Noise {
		pr.noise = append(pr.noise, [][]float32{f32s(t, n["w"]), f32s(t, n["b"])})
	}
	return pr
}

// grad sets the gradients at step t and returns the loss.
func (pr *problem) grad(t int) float64 {
	for k, p := range pr.params {
		for j, x := range p.Value {
			a, c, s, n := pr.a[k][j], pr.c[k][j], pr.s[k][j], pr.noise[t][k][j]
			g := float32(float32(a*(x-c))+float32(float32(float32(s*x)*x)*x)) + n
			if pr.negate {
				g = -g
			}
			p.Grad[j] = g
		}
	}
	return pr.loss64(t)
}

// loss64 is f at the parameters with the noise of step t, as gen_reference.py's loss64
// computes it: in float64, element by element, w then b, each operation rounded as written
// (the conversions keep the compiler from fusing a multiply and an add).
func (pr *problem) loss64(t int) float64 {
	var f float64
	for k, p := range pr.params {
		for j, xf := range p.Value {
			x, a, c := float64(xf), float64(pr.a[k][j]), float64(pr.c[k][j])
			s, n := float64(pr.s[k][j]), float64(pr.noise[t][k][j])
			d := x - c
			x2 := x * x
			quad := float64(float64(a/2*d) * d)
			quart := float64(float64(s/4*x2) * x2)
			f += float64(quad+quart) + float64(n*x)
		}
	}
	return f
}

// build makes the case's optimiser through the registry, as the command line does.
func (c refCase) build(t testing.TB, pr *problem) Optimizer {
	opts, err := ParseOptions(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	groups := []Group{{Params: pr.params[:1]}}
	if c.Group1 == nil {
		groups[0].Params = pr.params
	} else {
		g1, err := ParseOptions(*c.Group1)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, Group{Params: pr.params[1:], Options: g1})
	}
	o, err := New(c.Optimizer, opts, groups...)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Optimizer, c.Options, err)
	}
	return o
}

// step takes step k of the case.
func (pr *problem) step(t testing.TB, o Optimizer, k int) {
	if err := pr.tryStep(o, k); err != nil {
		t.Fatalf("step %d: %v", k, err)
	}
}

func (pr *problem) tryStep(o Optimizer, k int) error {
	if l, ok := o.(*LBFGS); ok {
		_, err := l.StepWith(func() (float64, error) { return pr.grad(0), nil })
		return err
	}
	pr.grad(k)
	return o.Step()
}

// TestReferenceTrajectories runs every case of the fixture and requires every parameter
// after every step to be bit-identical to torch's, L-BFGS included, as the package doc
// states: the first element that differs in any bit fails the case. (L-BFGS sums its dot
// products in OpenBLAS's order, which internal/lbfgs's TestTorchOps checks, and its
// closure's float64 loss is summed as the generator's; gen_reference.py explains why a
// float32 loss would make any two faithful L-BFGS implementations drift 4e-4 apart once at
// the minimum.)
func TestReferenceTrajectories(t *testing.T) {
	r := loadReference(t)
	covered := map[string]int{}
	for _, c := range r.Cases {
		name := c.Optimizer + "(" + c.Options + ")"
		if c.Group1 != nil {
			name += "+(" + *c.Group1 + ")"
		}
		t.Run(name, func(t *testing.T) {
			pr := newProblem(t, r, c.Negate)
			o := c.build(t, pr)
			want := f32s(t, c.Trajectory)
			for k := range r.Steps {
				pr.step(t, o, k)
				off := k * 9
				for _, p := range pr.params {
					for j, v := range p.Value {
						if w := want[off]; math.Float32bits(v) != math.Float32bits(w) {
							t.Fatalf("step %d: %s[%d] = %v (%#08x), torch %v (%#08x): not bit-identical (relative deviation %.3g)",
								k, p.Name, j, v, math.Float32bits(v), w, math.Float32bits(w), math.Abs(float64(v)-float64(w))/math.Max(math.Abs(float64(w)), 1e-3))
						}
						off++
					}
				}
			}
		})
		covered[c.Optimizer]++
	}
	for _, e := range Registry() {
		if n := covered[e.Name]; n < 4 && !isPreset(e.Name) && !isNumpyReferenced(e.Name) {
			t.Errorf("%s has %d reference cases, want at least 4", e.Name, n)
		}
	}
}

func isPreset(name string) bool {
	return name == "momentum" || name == "nesterov" || name == "amsgrad" || name == "amsgrad-lecture"
}
