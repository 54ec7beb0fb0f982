package autodiff

import (
	"math/rand/v2"
	"testing"

	"github.com/descent-ml/descent/internal/race"
	"github.com/descent-ml/descent/tensor"
)

// TestArenaBestFit checks that a request gets the shortest free buffer that holds it, cut
// to its length and capacity, and that a new buffer is made only when none does.
func TestArenaBestFit(t *testing.T) {
	var a arena[float32]
	b10, b20, b30 := a.get(10), a.get(20), a.get(30)
	a.reset()
	if a.size != 60 {
		t.Fatalf("size %d, want 60", a.size)
	}
	s := a.get(15)
	if len(s) != 15 || cap(s) != 15 || &s[0] != &b20[0] {
		t.Errorf("get(15): len %d cap %d, the 20-buffer: %v", len(s), cap(s), &s[0] == &b20[0])
	}
	if s := a.get(10); &s[0] != &b10[0] {
		t.Error("get(10) did not get the 10-buffer")
	}
	if s := a.get(1); &s[0] != &b30[0] {
		t.Error("get(1) did not get the last free buffer")
	}
	if s := a.get(1); len(s) != 1 || a.size != 61 {
		t.Errorf("get(1) with nothing free: len %d, size %d; want 1, 61", len(s), a.size)
	}
	if a.get(0) != nil {
		t.Error("get(0) is not nil")
	}
	a.reset()
	if len(a.free) != 4 || len(a.used) != 0 {
		t.Errorf("after reset %d free, %d used; want 4, 0", len(a.free), len(a.used))
	}
	a.release()
	if a.size != 0 || a.free != nil {
		t.Error("release kept buffers")
	}
}

// TestArenaSameOrder checks that a loop requesting the same lengths gets the same buffers
// in every iteration, buffers of equal length included.
func TestArenaSameOrder(t *testing.T) {
	lengths := []int{7, 3, 7, 100, 3, 7, 1}
	var a arena[int]
	first := make([]*int, len(lengths))
	for i, n := range lengths {
		first[i] = &a.get(n)[0]
	}
	for range 3 {
		a.reset()
		for i, n := range lengths {
			if &a.get(n)[0] != first[i] {
				t.Fatalf("request %d (length %d) got another buffer", i, n)
			}
		}
	}
}

// TestArenaShorterIterations requests random lengths, then in each later iteration
// lengths no longer than the first's, in random order: nothing is allocated.
func TestArenaShorterIterations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lengths := make([]int, 40)
	var a arena[float32]
	for i := range lengths {
		lengths[i] = 1 + rng.IntN(1000)
		a.get(lengths[i])
	}
	size := a.size
	for range 50 {
		a.reset()
		for _, i := range rng.Perm(len(lengths)) {
			a.get(1 + rng.IntN(lengths[i]))
		}
		if a.size != size {
			t.Fatalf("size grew from %d to %d", size, a.size)
		}
	}
}

// TestTapeShortBatch alternates full batches with a short one, as the last batch of an
// epoch is: the short batch uses the full batches' buffers, so the tape holds no more
// memory and, once warm, no step allocates.
func TestTapeShortBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rnd := func(shape ...int) *tensor.Tensor {
		x := tensor.New(shape...)
		normal(rng, []*tensor.Tensor{x})
		return x
	}
	w1, b1, w2 := NewParam(rnd(8, 3)), NewParam(rnd(8)), NewParam(rnd(2, 8))
	ps := []*Var{w1, b1, w2}
	full, short := rnd(16, 3), rnd(5, 3)
	y := make([]int, 16)
	for i := range y {
		y[i] = i % 2
	}
	tp := NewTape()
	step := func(x *tensor.Tensor) {
		tp.Reset()
		for _, p := range ps {
			p.ZeroGrad()
		}
		h := tp.Linear(tp.Const(x), w1, b1, tensor.ActReLU)
		tp.Backward(tp.NLLLoss(tp.LogSoftmax(tp.Linear(h, w2, nil, tensor.ActNone)), y[:x.Shape()[0]]))
	}
	step(full)
	held := tp.BufferBytes()
	for range 3 {
		step(short)
		step(full)
	}
	if tp.BufferBytes() != held {
		t.Errorf("buffers grew from %d to %d bytes with a short batch", held, tp.BufferBytes())
	}
	if race.Enabled {
		return // the race detector allocates
	}
	if a := testing.AllocsPerRun(20, func() { step(full); step(short) }); a != 0 {
		t.Errorf("a full and a short step allocate %v times", a)
	}
}
