package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsMatchGo checks that the dispatched kernels (assembly where available) compute the
// same bits as the pure-Go loops, on lengths that exercise the vector body and the tail, and
// that they write nothing past the slices (NaN guard bands).
func TestKernelsMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 15, 16, 17, 1000, 4099} {
		mk := func() []float32 {
			x := make([]float32, n+32)
			for i := range x {
				x[i] = float32(math.NaN())
			}
			for i := 16; i < n+16; i++ {
				x[i] = float32(r.NormFloat64())
			}
			return x
		}
		p, g, b := mk(), mk(), mk()
		for i := 16; i < n+16; i++ {
			b[i] = float32(math.Abs(float64(b[i])))
		}
		cp := func(x []float32) []float32 { return append([]float32(nil), x...) }
		p2, g2, b2, m1, m2 := cp(p), cp(g), cp(b), cp(g), cp(g)
		in := func(x []float32) []float32 { return x[16 : n+16] }
		// Every combination of SGD's options: maximize, decay, momentum, first step, nesterov.
		for flags := uint32(0); flags < 32; flags++ {
			if flags&sgdMomentum == 0 && flags&(sgdFirst|sgdNesterov) != 0 {
				continue
			}
			k := sgdCoef{negLR: -0.1, wd: 0.01, mom: 0.9, damp1: 0.7, flags: flags}
			if flags&sgdMomentum == sgdMomentum && flags&^sgdMomentum == 0 {
				k.damp1 = 1 // the plain momentum kernel
			}
			sgdStep(in(p), in(g), in(b), &k)
			sgdStepGo(in(p2), in(g2), in(b2), &k)
			same(t, fmt.Sprintf("sgd flags %05b value", flags), p, p2)
			same(t, fmt.Sprintf("sgd flags %05b buffer", flags), b, b2)
		}
		// Adam and AdamW with every option: maximize, L2 decay, both AMSGrads.
		// The second moments are non-negative (the momentum buffers above need not be).
		for i := 16; i < n+16; i++ {
			b[i] = float32(math.Abs(float64(b[i])))
		}
		b2 = cp(b)
		vm1 := cp(b)
		for i := 16; i < n+16; i++ {
			vm1[i] *= float32(r.Float64() * 2)
		}
		vm2 := cp(vm1)
		for _, decoupled := range []bool{false, true} {
			for _, ams := range []AMSGrad{AMSGradOff, AMSGradTorch, AMSGradLecture} {
				for _, maximize := range []bool{false, true} {
					for _, wd := range []float64{0, 1e-2} {
						ka := newAdamCoef(1e-3, 0.9, 0.999, 1e-8, wd, ams, maximize, decoupled, 3)
						adamStep(in(p), in(g), in(m1), in(b), in(vm1), &ka)
						adamStepGo(in(p2), in(g2), in(m2), in(b2), in(vm2), &ka)
						what := fmt.Sprintf("adam (decoupled %v, amsgrad %v, maximize %v, wd %v)", decoupled, ams, maximize, wd)
						same(t, what+" value", p, p2)
						same(t, what+" m", m1, m2)
						same(t, what+" v", b, b2)
						same(t, what+" vmax", vm1, vm2)
					}
				}
			}
		}
		// RMSprop with every option (maximize, decay, centered, momentum), and Adagrad.
		sq1 := cp(b)
		for i := 16; i < n+16; i++ {
			sq1[i] += 1 // keeps the centred variance estimate positive
		}
		ga1 := cp(g)
		for i := 16; i < n+16; i++ {
			ga1[i] *= 0.1 // a running mean whose square is below the square average
		}
		sq2, bb1, bb2, ga2 := cp(sq1), cp(m1), cp(m1), cp(ga1)
		for flags := uint32(0); flags < 16; flags++ {
			k := rmspropCoef{alpha: 0.99, oma: 1 - 0.99, eps: 1e-8, wd: 0.01, mom: 0.9, negLR: -0.01, flags: flags}
			rmspropStep(in(p), in(g), in(sq1), in(bb1), in(ga1), &k)
			rmspropStepGo(in(p2), in(g2), in(sq2), in(bb2), in(ga2), &k)
			what := fmt.Sprintf("rmsprop flags %04b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" square average", sq1, sq2)
			same(t, what+" momentum buffer", bb1, bb2)
			same(t, what+" gradient average", ga1, ga2)
		}
		for flags := uint32(0); flags < 4; flags++ {
			k := adagradCoef{negCLR: -0.01, wd: 0.01, eps: 1e-10, flags: flags}
			adagradStep(in(p), in(g), in(sq1), &k)
			adagradStepGo(in(p2), in(g2), in(sq2), &k)
			same(t, fmt.Sprintf("adagrad flags %02b value", flags), p, p2)
			same(t, fmt.Sprintf("adagrad flags %02b sum", flags), sq1, sq2)
		}
		acc1 := cp(sq1)
		acc2 := cp(acc1)
		for flags := uint32(0); flags < 4; flags++ {
			k := adadeltaCoef{rho: 0.9, omr: 1 - 0.9, eps: 1e-6, wd: 0.01, negLR: -1, flags: flags}
			adadeltaStep(in(p), in(g), in(sq1), in(acc1), &k)
			adadeltaStepGo(in(p2), in(g2), in(sq2), in(acc2), &k)
			same(t, fmt.Sprintf("adadelta flags %02b value", flags), p, p2)
			same(t, fmt.Sprintf("adadelta flags %02b square average", flags), sq1, sq2)
			same(t, fmt.Sprintf("adadelta flags %02b delta average", flags), acc1, acc2)
		}
		// Adamax, NAdam and RAdam with every option.
		mm1, uu1 := cp(m1), cp(sq1)
		mm2, uu2 := cp(mm1), cp(uu1)
		for flags := uint32(0); flags < 4; flags++ {
			k := adamaxCoef{b1: 0.9, omb1: 0.1, b2: 0.999, eps: 1e-8, wd: 0.01, negCLR: -0.002, flags: flags}
			adamaxStep(in(p), in(g), in(mm1), in(uu1), &k)
			adamaxStepGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("adamax flags %02b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" u", uu1, uu2)
		}
		for _, flags := range []uint32{0, adamDecay} {
			k := nadamCoef{b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 0.001, bc2: 0.003, eps: 1e-8, wd: 0.01, cg: -0.0003, cm: -0.002, flags: flags}
			nadamStep(in(p), in(g), in(mm1), in(uu1), &k)
			nadamStepGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("nadam flags %02b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" v", uu1, uu2)
		}
		for flags := uint32(0); flags < 4; flags++ {
			k := radamCoef{b1: 0.9, omb1: 0.1, b2: 0.999, omb2: 0.001, bc1: 0.5, lr: 1e-3, eps: 1e-8, wd: 0.01, bc2s: 0.1, rect: 0.3, flags: flags}
			radamStep(in(p), in(g), in(mm1), in(uu1), &k)
			radamStepGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("radam flags %02b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" v", uu1, uu2)
		}
		for name, x := range map[string][]float32{"values": p, "sums": sq1, "maxima": vm1, "buffers": bb1, "delta averages": acc1, "adamax u": uu1} {
			if !allFiniteGo(in(x)) {
				t.Fatalf("n=%d: the kernels' %s are not all finite: the comparison proves little: %v", n, name, in(x))
			}
		}
		if allFinite(in(g)) != true || allFinite(g) != false {
			t.Errorf("n=%d: allFinite wrong", n)
		}
		x := in(cp(g))
		x[n-1] = float32(math.Inf(1))
		if allFinite(x) {
			t.Errorf("n=%d: allFinite missed an infinity at the end", n)
		}
	}
}

func same(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s: element %d (guard band: %v): %v vs %v", what, i-16, i < 16 || i >= len(a)-16, a[i], b[i])
		}
	}
}
