package optim

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"
)

// clipFixture is testdata/clip.json, written by testdata/gen_clip.py with torch's
// clip_grad_norm_ and clip_grad_value_.
type clipFixture struct {
	Torch string
	Sets  map[string][]*string // gradients of each parameter set (nil: no gradient)
	Cases []struct {
		Kind     string          // "norm" or "value"
		Set      string          // the parameter set
		NormType json.RawMessage `json:"norm_type"` // a number or "inf"
		MaxNorm  float64         `json:"max_norm"`
		Clip     float64
		Total    float64   // torch's returned norm
		Error    bool      // torch raised (error_if_nonfinite=True)
		Grads    []*string // torch's gradients after clipping
	}
}

func (fx *clipFixture) params(t *testing.T, set string, grads []*string) []*Param {
	var ps []*Param
	for i, g := range grads {
		p := &Param{Name: fmt.Sprintf("%s.%d", set, i)}
		if g != nil {
			p.Grad = f32s(t, *g)
		}
		n := max(1, len(p.Grad))
		p.Shape, p.Value = []int{n}, make([]float32, n)
		ps = append(ps, p)
	}
	return ps
}

// TestClipParity runs every case of the fixture and demands torch's returned norm and clipped
// gradients bit for bit (norm types 1, 2 and ∞; within 1 ulp for norm type 3, whose powers
// torch takes with powf), and an error that changes nothing where torch raised.
func TestClipParity(t *testing.T) {
	b, err := os.ReadFile("testdata/clip.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx clipFixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, c := range fx.Cases {
		ps := fx.params(t, c.Set, fx.Sets[c.Set])
		before := make([][]float32, len(ps))
		for i, p := range ps {
			before[i] = slices.Clone(p.Grad)
		}
		if c.Kind == "value" {
			if err := ClipGradValue(ps, c.Clip); err != nil {
				t.Fatalf("%s clip %v: %v", c.Set, c.Clip, err)
			}
			checkGrads(t, fmt.Sprintf("%s: clip value %v", c.Set, c.Clip), ps, c.Grads, 0)
			count["value"]++
			continue
		}
		p := math.Inf(1)
		if string(c.NormType) != `"inf"` {
			if err := json.Unmarshal(c.NormType, &p); err != nil {
				t.Fatal(err)
			}
		}
		name := fmt.Sprintf("%s: %v-norm, max %v", c.Set, p, c.MaxNorm)
		total, err := ClipGradNorm(ps, c.MaxNorm, p)
		if c.Error {
			var nf *NonFiniteError
			var ov *NormOverflowError
			if !errors.As(err, &nf) && !errors.As(err, &ov) {
				t.Errorf("%s: torch raised, got %v", name, err)
			}
			for i, p := range ps {
				if !slices.EqualFunc(p.Grad, before[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
					t.Errorf("%s: refused, but the gradient of %s changed", name, p.Name)
				}
			}
			count["error"]++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ulps := 0
		if p != 1 && p != 2 && !math.IsInf(p, 1) {
			ulps = 1
		}
		if d := ulpDiff(float32(total), float32(c.Total)); d > ulps {
			t.Errorf("%s: total norm %v, torch %v (%d ulp)", name, total, c.Total, d)
		}
		checkGrads(t, name, ps, c.Grads, ulps)
		count[fmt.Sprint(p)]++
	}
	t.Logf("cases checked: %v", count)
	for _, k := range []string{"1", "2", "+Inf", "3", "value", "error"} {
		if count[k] < 4 {
			t.Errorf("%d cases of %s in clip.json, want at least 4", count[k], k)
		}
	}
}

func checkGrads(t *testing.T, name string, ps []*Param, want []*string, ulps int) {
	t.Helper()
	for i, p := range ps {
		if want[i] == nil {
			if p.Grad != nil {
				t.Errorf("%s: %s got a gradient", name, p.Name)
			}
			continue
		}
		w := f32s(t, *want[i])
		for j, v := range p.Grad {
			if d := ulpDiff(v, w[j]); d > ulps {
				t.Fatalf("%s: %s[%d] = %v, torch %v (%d ulp)", name, p.Name, j, v, w[j], d)
			}
		}
	}
}

// ulpDiff is the distance between a and b in float32 steps (a large number across signs).
func ulpDiff(a, b float32) int {
	if a == b {
		return 0
	}
	if (a < 0) != (b < 0) {
		return math.MaxInt32
	}
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return int(min(d, math.MaxInt32))
}

// TestClipRefuses checks the errors and panics of clipping: the error names the element or
// the parameter whose norm overflows, nothing is clipped, and bad arguments panic.
func TestClipRefuses(t *testing.T) {
	mk := func(g ...[]float32) []*Param {
		var ps []*Param
		for i, x := range g {
			ps = append(ps, &Param{Name: string(rune('a' + i)), Shape: []int{len(x)}, Value: make([]float32, len(x)), Grad: x})
		}
		return ps
	}
	inf := float32(math.Inf(1))
	_, err := ClipGradNorm(mk([]float32{1, 2}, []float32{3, -inf}), 1, 2)
	if nf := (*NonFiniteError)(nil); !errors.As(err, &nf) || nf.Param != "b" || nf.Index != 1 {
		t.Errorf("infinite element: got %v", err)
	}
	ps := mk([]float32{1, 2}, []float32{3e19, 1})
	_, err = ClipGradNorm(ps, 1, 2)
	if ov := (*NormOverflowError)(nil); !errors.As(err, &ov) || ov.Param != "b" || err.Error() != "optim: the 2-norm of the gradient of b overflows float32; no gradient was clipped" {
		t.Errorf("overflow: got %v", err)
	}
	if ps[1].Grad[0] != 3e19 {
		t.Errorf("overflow: the gradient changed to %v", ps[1].Grad[0])
	}
	if err := ClipGradValue(mk([]float32{float32(math.NaN())}), 1); err == nil {
		t.Error("ClipGradValue accepted a NaN")
	}
	if n, err := ClipGradNorm([]*Param{{Name: "x", Shape: []int{1}, Value: []float32{0}}}, 1, 2); n != 0 || err != nil {
		t.Errorf("no gradients: %v, %v", n, err)
	}
	for _, bad := range []struct{ max, p float64 }{{1, 0}, {1, -2}, {1, math.NaN()}, {-1, 2}, {math.NaN(), 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("ClipGradNorm(max %v, p %v) did not panic", bad.max, bad.p)
				}
			}()
			ClipGradNorm(mk([]float32{1}), bad.max, bad.p)
		}()
	}
}

// TestClipAllocs locks in that ClipGradNorm allocates nothing (the training loop calls it at
// every step).
func TestClipAllocs(t *testing.T) {
	ps := []*Param{{Name: "w", Shape: []int{1000}, Value: make([]float32, 1000), Grad: make([]float32, 1000)}, {Name: "b", Shape: []int{7}, Value: make([]float32, 7), Grad: make([]float32, 7)}}
	for _, p := range []float64{1, 2, 3, math.Inf(1)} {
		if n := testing.AllocsPerRun(10, func() { ClipGradNorm(ps, 1, p) }); n != 0 {
			t.Errorf("%v-norm: %v allocations", p, n)
		}
	}
}
