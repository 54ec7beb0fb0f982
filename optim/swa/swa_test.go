package swa_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/descent-ml/descent/optim/swa"
)

type fixtureTensor struct {
	Shape []int     `json:"shape"`
	Int   bool      `json:"int"`
	Data  []float64 `json:"data"`
}

// fixture is testdata/averaged.json, written by testdata/gen_swa.py: the states of a
// BatchNorm model after each of 8 SGD steps (parameters, then buffers) and torch's
// AveragedModel of them after each step, four ways.
type fixture struct {
	Torch  string            `json:"torch"`
	Names  []string          `json:"names"`
	Params int               `json:"params"`
	Models [][]fixtureTensor `json:"models"`
	Cases  []struct {
		Name       string          `json:"name"`
		Decay      float64         `json:"decay"`
		UseBuffers bool            `json:"use_buffers"`
		Initial    []fixtureTensor `json:"initial"`
		Steps      []struct {
			N       int64           `json:"n_averaged"`
			Average []fixtureTensor `json:"average"`
		} `json:"steps"`
	} `json:"cases"`
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestTorchAveragedModel replays torch's AveragedModel on the fixture's model states: SWA
// (Mean) and EMA, without and with the buffers, and checks every value of the average
// after every update to relative 1e-6, and the counter exactly. Without use_buffers the
// copy's buffers are not averaged: torch's stay as they were at the copy.
func TestTorchAveragedModel(t *testing.T) {
	const tol = 1e-6
	b, err := os.ReadFile("testdata/averaged.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != 4 || len(f.Models) != 8 {
		t.Fatalf("fixture has %d cases and %d models, want 4 and 8", len(f.Cases), len(f.Models))
	}
	worst, exact, total := 0.0, 0, 0
	for _, c := range f.Cases {
		k := f.Params
		if c.UseBuffers {
			k = len(f.Names)
		}
		avg := make([]swa.Tensor, k)
		for i := range avg {
			avg[i] = swa.Tensor{Data: f32(c.Initial[i].Data), Int: c.Initial[i].Int}
		}
		var fn swa.AvgFn
		if c.Decay != 0 {
			fn = swa.EMA(c.Decay)
		}
		m := swa.New(avg, fn)
		for s, step := range c.Steps {
			model := make([][]float32, k)
			for i := range model {
				model[i] = f32(f.Models[s][i].Data)
			}
			m.Update(model)
			if m.N() != step.N {
				t.Fatalf("%s step %d: n_averaged %d, torch %d", c.Name, s, m.N(), step.N)
			}
			for i, want := range step.Average {
				if i >= k {
					if !slices.Equal(want.Data, c.Initial[i].Data) {
						t.Errorf("%s step %d: torch averaged %s without use_buffers", c.Name, s, f.Names[i])
					}
					continue
				}
				for j, w := range want.Data {
					got := float64(avg[i].Data[j])
					d := math.Abs(got - w)
					if d == 0 {
						exact++
					} else {
						worst = max(worst, d/math.Max(math.Abs(got), math.Abs(w)))
					}
					total++
					if d > tol*math.Max(math.Abs(w), 1e-30) {
						t.Errorf("%s step %d %s[%d]: %v, torch %v", c.Name, s, f.Names[i], j, got, w)
					}
				}
			}
		}
	}
	t.Logf("torch %s: %d of %d values identical, largest relative difference %.3g", f.Torch, exact, total, worst)
}

// TestMeanIsTheAverage checks Mean against its closed form: after k models, the average is
// their arithmetic mean (to float32 rounding), and EMA against β^(k−1)·w_1 + Σ (1−β)β^(k−j)·w_j.
func TestMeanIsTheAverage(t *testing.T) {
	ws := [][]float32{{1, -2}, {3, 0.5}, {-4, 7}, {10, 2}}
	a := []float32{99, 99}
	m := swa.New([]swa.Tensor{{Data: a}}, nil)
	e := []float32{99, 99}
	const beta = 0.8
	me := swa.New([]swa.Tensor{{Data: e}}, swa.EMA(beta))
	for k, w := range ws {
		m.Update([][]float32{w})
		me.Update([][]float32{w})
		for i := range a {
			var sum, ema float64
			for j := 0; j <= k; j++ {
				sum += float64(ws[j][i])
				wt := (1 - beta) * math.Pow(beta, float64(k-j))
				if j == 0 {
					wt = math.Pow(beta, float64(k))
				}
				ema += wt * float64(ws[j][i])
			}
			if d := math.Abs(float64(a[i]) - sum/float64(k+1)); d > 1e-6 {
				t.Errorf("Mean after %d models: %v, want %v", k+1, a[i], sum/float64(k+1))
			}
			if d := math.Abs(float64(e[i]) - ema); d > 1e-5 {
				t.Errorf("EMA after %d models: %v, want %v", k+1, e[i], ema)
			}
		}
	}
	if m.N() != 4 {
		t.Errorf("N = %d, want 4", m.N())
	}
}

// TestUpdateAllocs locks in that an update allocates nothing, of a small tensor and of one
// split over the cores.
func TestUpdateAllocs(t *testing.T) {
	for _, size := range []int{1000, 1 << 18} {
		a, p := make([]float32, size), make([]float32, size)
		for _, fn := range []swa.AvgFn{nil, swa.EMA(0.99)} {
			m := swa.New([]swa.Tensor{{Data: a}}, fn)
			model := [][]float32{p}
			if n := testing.AllocsPerRun(10, func() { m.Update(model) }); n != 0 {
				t.Errorf("Update of %d values allocates %v times", size, n)
			}
		}
	}
}

// TestUpdateSplit checks that a tensor split over the cores is averaged as on one core, an
// integer one included, bit for bit.
func TestUpdateSplit(t *testing.T) {
	const size = 1<<17 + 3
	rng := rand.New(rand.NewPCG(3, 4))
	models := make([][]float32, 5)
	for k := range models {
		models[k] = make([]float32, size)
		for i := range models[k] {
			models[k][i] = float32(rng.IntN(1000)) + float32(rng.NormFloat64())
		}
	}
	run := func(procs int, fn swa.AvgFn, isInt bool) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		a := make([]float32, size)
		m := swa.New([]swa.Tensor{{Data: a, Int: isInt}}, fn)
		for _, w := range models {
			m.Update([][]float32{w})
		}
		return a
	}
	for _, fn := range []swa.AvgFn{nil, swa.EMA(0.7)} {
		for _, isInt := range []bool{false, true} {
			if !slices.Equal(run(1, fn, isInt), run(4, fn, isInt)) {
				t.Errorf("int %v: the average split over 4 threads differs from one thread's", isInt)
			}
		}
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"decay 1":    func() { swa.EMA(1) },
		"decay 0":    func() { swa.EMA(0) },
		"decay NaN":  func() { swa.EMA(math.NaN()) },
		"tensors":    func() { swa.New([]swa.Tensor{{Data: make([]float32, 2)}}, nil).Update(nil) },
		"length":     func() { swa.New([]swa.Tensor{{Data: make([]float32, 2)}}, nil).Update([][]float32{{1}}) },
		"negative n": func() { swa.New(nil, nil).SetN(-1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkUpdate averages the 1,796,010 parameters of the MLP 784-1000-1000-10, the work
// of an EMA after every step of descent's default model.
func BenchmarkUpdate(b *testing.B) {
	sizes := []int{784000, 1000, 1000000, 1000, 10000, 10}
	for _, fn := range []struct {
		name string
		fn   swa.AvgFn
	}{{"mean", swa.Mean}, {"ema", swa.EMA(0.999)}} {
		b.Run(fn.name, func(b *testing.B) {
			var avg []swa.Tensor
			var model [][]float32
			for _, n := range sizes {
				avg = append(avg, swa.Tensor{Data: make([]float32, n)})
				model = append(model, make([]float32, n))
			}
			m := swa.New(avg, fn.fn)
			m.Update(model)
			b.SetBytes(3 * 4 * 1796010)
			for b.Loop() {
				m.Update(model)
			}
		})
	}
}
