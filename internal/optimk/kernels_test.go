package optimk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/descent-ml/descent/internal/cpu"
)

// checkImpl logs which kernels run and fails if they are the Go twins where the assembly
// should run: the comparison with the twins would then compare the twins with themselves.
func checkImpl(t *testing.T) {
	t.Helper()
	want := "avx512"
	if why := cpu.GoReason(func(f cpu.Features) bool { return f.AVX512F && f.AVX512DQ }); why != "" {
		want = "avx2"
		t.Logf("no avx512 assembly: %s", why)
		if why := cpu.GoReason(func(f cpu.Features) bool { return f.AVX2 && f.FMA }); why != "" {
			want = "go"
			t.Logf("no avx2 assembly: %s", why)
		}
	}
	t.Logf("optimk: the %s kernels ran", impl())
	if impl() != want {
		t.Fatalf("the %s kernels ran, want %s (CPU features enabled: %+v)", impl(), want, cpu.Enabled())
	}
}

// TestKernelsMatchGo checks that the exported kernels (assembly where available) compute
// the same bits as the Go twins, on lengths that exercise the vector body and the tail, and
// that they write nothing past the slices (NaN guard bands).
func TestKernelsMatchGo(t *testing.T) {
	checkImpl(t)
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
			if flags&SGDMomentum == 0 && flags&(SGDFirst|SGDNesterov) != 0 {
				continue
			}
			k := SGDCoef{NegLR: -0.1, WD: 0.01, Mom: 0.9, Damp1: 0.7, Flags: flags}
			if flags&SGDMomentum == SGDMomentum && flags&^SGDMomentum == 0 {
				k.Damp1 = 1 // the plain momentum kernel
			}
			SGD(in(p), in(g), in(b), &k)
			sgdGo(in(p2), in(g2), in(b2), &k)
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
			for _, ams := range []uint32{0, AdamAMSTorch, AdamAMSLecture} {
				for _, maximize := range []bool{false, true} {
					for _, wd := range []float64{0, 1e-2} {
						ka := adamCoef(1e-3, 0.9, 0.999, 1e-8, wd, ams, maximize, decoupled, 3)
						Adam(in(p), in(g), in(m1), in(b), in(vm1), &ka)
						adamGo(in(p2), in(g2), in(m2), in(b2), in(vm2), &ka)
						what := fmt.Sprintf("adam (decoupled %v, amsgrad flag %v, maximize %v, wd %v)", decoupled, ams, maximize, wd)
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
			k := RMSpropCoef{Alpha: 0.99, Oma: 1 - 0.99, Eps: 1e-8, WD: 0.01, Mom: 0.9, NegLR: -0.01, Flags: flags}
			RMSprop(in(p), in(g), in(sq1), in(bb1), in(ga1), &k)
			rmspropGo(in(p2), in(g2), in(sq2), in(bb2), in(ga2), &k)
			what := fmt.Sprintf("rmsprop flags %04b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" square average", sq1, sq2)
			same(t, what+" momentum buffer", bb1, bb2)
			same(t, what+" gradient average", ga1, ga2)
		}
		for flags := uint32(0); flags < 4; flags++ {
			k := AdagradCoef{NegCLR: -0.01, WD: 0.01, Eps: 1e-10, Flags: flags}
			Adagrad(in(p), in(g), in(sq1), &k)
			adagradGo(in(p2), in(g2), in(sq2), &k)
			same(t, fmt.Sprintf("adagrad flags %02b value", flags), p, p2)
			same(t, fmt.Sprintf("adagrad flags %02b sum", flags), sq1, sq2)
		}
		acc1 := cp(sq1)
		acc2 := cp(acc1)
		for flags := uint32(0); flags < 4; flags++ {
			k := AdadeltaCoef{Rho: 0.9, Omr: 1 - 0.9, Eps: 1e-6, WD: 0.01, NegLR: -1, Flags: flags}
			Adadelta(in(p), in(g), in(sq1), in(acc1), &k)
			adadeltaGo(in(p2), in(g2), in(sq2), in(acc2), &k)
			same(t, fmt.Sprintf("adadelta flags %02b value", flags), p, p2)
			same(t, fmt.Sprintf("adadelta flags %02b square average", flags), sq1, sq2)
			same(t, fmt.Sprintf("adadelta flags %02b delta average", flags), acc1, acc2)
		}
		// Adamax, NAdam and RAdam with every option.
		mm1, uu1 := cp(m1), cp(sq1)
		mm2, uu2 := cp(mm1), cp(uu1)
		for flags := uint32(0); flags < 4; flags++ {
			k := AdamaxCoef{B1: 0.9, Omb1: 0.1, B2: 0.999, Eps: 1e-8, WD: 0.01, NegCLR: -0.002, Flags: flags}
			Adamax(in(p), in(g), in(mm1), in(uu1), &k)
			adamaxGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("adamax flags %02b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" u", uu1, uu2)
		}
		for _, flags := range []uint32{0, AdamDecay, AdamDecoupled} {
			k := NAdamCoef{B1: 0.9, Omb1: 0.1, B2: 0.999, Omb2: 0.001, Bc2: 0.003, Eps: 1e-8, WD: 0.01, Cg: -0.0003, Cm: -0.002, Flags: flags, Decay: 0.99}
			NAdam(in(p), in(g), in(mm1), in(uu1), &k)
			nadamGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("nadam flags %02b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" v", uu1, uu2)
		}
		for flags := uint32(0); flags < 8; flags++ {
			if flags&RAdamDecay != 0 && flags&RAdamDecoupled != 0 {
				continue
			}
			k := RAdamCoef{B1: 0.9, Omb1: 0.1, B2: 0.999, Omb2: 0.001, Bc1: 0.5, LR: 1e-3, Eps: 1e-8, WD: 0.01, Bc2s: 0.1, Rect: 0.3, Flags: flags, Decay: 0.99}
			RAdam(in(p), in(g), in(mm1), in(uu1), &k)
			radamGo(in(p2), in(g2), in(mm2), in(uu2), &k)
			what := fmt.Sprintf("radam flags %03b", flags)
			same(t, what+" value", p, p2)
			same(t, what+" m", mm1, mm2)
			same(t, what+" v", uu1, uu2)
		}
		for name, x := range map[string][]float32{"values": p, "sums": sq1, "maxima": vm1, "buffers": bb1, "delta averages": acc1, "adamax u": uu1} {
			if !allFiniteGo(in(x)) {
				t.Fatalf("n=%d: the kernels' %s are not all finite: the comparison proves little: %v", n, name, in(x))
			}
		}
		if AllFinite(in(g)) != true || AllFinite(g) != false {
			t.Errorf("n=%d: AllFinite wrong", n)
		}
		x := in(cp(g))
		x[n-1] = float32(math.Inf(1))
		if AllFinite(x) {
			t.Errorf("n=%d: AllFinite missed an infinity at the end", n)
		}
		for _, i := range []int{0, n / 2, n * 3 / 4} { // in the vector body when n allows
			for _, bad := range []float64{math.NaN(), math.Inf(-1)} {
				x := in(cp(g))
				x[i] = float32(bad)
				if AllFinite(x) {
					t.Errorf("n=%d: AllFinite missed %v at %d", n, bad, i)
				}
			}
		}
	}
}

// adamCoef computes the coefficients of Adam's step t as package optim does.
func adamCoef(lr, beta1, beta2, eps, wd float64, ams uint32, maximize, decoupled bool, t int64) AdamCoef {
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	k := AdamCoef{
		B1: float32(beta1), Omb1: float32(1 - beta1), B2: float32(beta2), Omb2: float32(1 - beta2),
		Bc2s: float32(math.Sqrt(bc2)), Bc2: float32(bc2), Eps: float32(eps),
		NegStep: float32(-(lr / bc1)), WD: float32(wd), Decay: float32(1 - lr*wd), Flags: ams,
	}
	if maximize {
		k.Flags |= AdamMaximize
	}
	if decoupled {
		k.Flags |= AdamDecoupled
	} else if wd != 0 {
		k.Flags |= AdamDecay
	}
	return k
}

func same(t *testing.T, what string, a, b []float32) {
	t.Helper()
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("%s: element %d (guard band: %v): %v vs %v", what, i-16, i < 16 || i >= len(a)-16, a[i], b[i])
		}
	}
}

// TestCoefLayout checks the offsets at which kernels_amd64.s reads the coefficients (its
// comments list them).
func TestCoefLayout(t *testing.T) {
	var (
		sgd      SGDCoef
		adam     AdamCoef
		rmsprop  RMSpropCoef
		adagrad  AdagradCoef
		adadelta AdadeltaCoef
		adamax   AdamaxCoef
		nadam    NAdamCoef
		radam    RAdamCoef
		lion     LionCoef
		sf       ScheduleFreeCoef
		prodigy  ProdigyCoef
		lamb     LAMBCoef
		lars     LARSCoef
		ada      AdafactorCoef
	)
	for _, c := range []struct {
		what      string
		got, want uintptr
	}{
		{"SGDCoef.Flags", unsafe.Offsetof(sgd.Flags), 16},
		{"AdamCoef.Decay", unsafe.Offsetof(adam.Decay), 36},
		{"AdamCoef.Flags", unsafe.Offsetof(adam.Flags), 40},
		{"RMSpropCoef.Flags", unsafe.Offsetof(rmsprop.Flags), 24},
		{"AdagradCoef.Flags", unsafe.Offsetof(adagrad.Flags), 12},
		{"AdadeltaCoef.Flags", unsafe.Offsetof(adadelta.Flags), 20},
		{"AdamaxCoef.Flags", unsafe.Offsetof(adamax.Flags), 24},
		{"NAdamCoef.Flags", unsafe.Offsetof(nadam.Flags), 36},
		{"RAdamCoef.Rect", unsafe.Offsetof(radam.Rect), 36},
		{"RAdamCoef.Flags", unsafe.Offsetof(radam.Flags), 40},
		{"RAdamCoef.Decay", unsafe.Offsetof(radam.Decay), 44},
		{"NAdamCoef.Decay", unsafe.Offsetof(nadam.Decay), 40},
		{"LionCoef.NegLR", unsafe.Offsetof(lion.NegLR), 20},
		{"ScheduleFreeCoef.Eps", unsafe.Offsetof(sf.Eps), 36},
		{"ScheduleFreeCoef.Flags", unsafe.Offsetof(sf.Flags), 40},
		{"ProdigyCoef.NegDLR", unsafe.Offsetof(prodigy.NegDLR), 36},
		{"ProdigyCoef.Flags", unsafe.Offsetof(prodigy.Flags), 40},
		{"LAMBCoef.WD", unsafe.Offsetof(lamb.WD), 28},
		{"LAMBCoef.NegLR", unsafe.Offsetof(lamb.NegLR), 36},
		{"LAMBCoef.Flags", unsafe.Offsetof(lamb.Flags), 40},
		{"LARSCoef.NegLR", unsafe.Offsetof(lars.NegLR), 16},
		{"LARSCoef.Flags", unsafe.Offsetof(lars.Flags), 20},
		{"AdafactorCoef.Floor", unsafe.Offsetof(ada.Floor), 8},
		{"AdafactorCoef.A", unsafe.Offsetof(ada.A), 16},
		{"AdafactorCoef.Flags", unsafe.Offsetof(ada.Flags), 20},
	} {
		if c.got != c.want {
			t.Errorf("%s at offset %d, the assembly reads %d", c.what, c.got, c.want)
		}
	}
}

// TestAMSGradNaN checks that the kernels carry a NaN of the maximum of the second moments
// into it and the value as the Go twin does (Go's max: NaN if either is), for both
// AMSGrads, a NaN in the vector body and in the tail.
func TestAMSGradNaN(t *testing.T) {
	checkImpl(t)
	r := rand.New(rand.NewPCG(9, 10))
	const n = 37
	for _, ams := range []uint32{AdamAMSTorch, AdamAMSLecture} {
		var p, g, m, v, vm [2][]float32
		for i := range 2 {
			p[i], g[i], m[i], v[i], vm[i] = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		}
		for j := range n {
			p[0][j], g[0][j], m[0][j] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
			v[0][j], vm[0][j] = float32(r.Float64()), float32(r.Float64())
		}
		for _, j := range []int{3, 17, n - 2} {
			vm[0][j] = float32(math.NaN())
		}
		for _, x := range [][2][]float32{p, g, m, v, vm} {
			copy(x[1], x[0])
		}
		k := adamCoef(1e-3, 0.9, 0.999, 1e-8, 0, ams, false, false, 3)
		Adam(p[0], g[0], m[0], v[0], vm[0], &k)
		adamGo(p[1], g[1], m[1], v[1], vm[1], &k)
		for j := range n {
			for _, x := range []struct {
				name string
				a, b float32
			}{{"value", p[0][j], p[1][j]}, {"vmax", vm[0][j], vm[1][j]}} {
				if math.Float32bits(x.a) != math.Float32bits(x.b) && !(x.a != x.a && x.b != x.b) {
					t.Errorf("amsgrad flag %d, element %d: %s %v, Go twin %v", ams, j, x.name, x.a, x.b)
				}
			}
			if (j == 3 || j == 17 || j == n-2) && vm[0][j] == vm[0][j] {
				t.Errorf("amsgrad flag %d, element %d: vmax %v, want NaN", ams, j, vm[0][j])
			}
		}
	}
}

// TestAdamaxMax checks that Adamax's infinity norm u = max(u·β₂, |g| + ε) takes either side
// as the Go twin does, and carries a NaN of either side as Go's max does: u below and above
// |g|, and NaN in some lanes of u and of g.
func TestAdamaxMax(t *testing.T) {
	checkImpl(t)
	r := rand.New(rand.NewPCG(11, 12))
	const n = 53
	var p, g, m, u [2][]float32
	for i := range 2 {
		p[i], g[i], m[i], u[i] = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	}
	for j := range n {
		p[0][j], g[0][j], m[0][j] = float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		u[0][j] = float32(r.Float64())
	}
	nanU, nanG := []int{2, 19, n - 3}, []int{5, 30}
	for _, j := range nanU {
		u[0][j] = float32(math.NaN())
	}
	for _, j := range nanG {
		g[0][j] = float32(math.NaN())
	}
	for _, x := range [][2][]float32{p, g, m, u} {
		copy(x[1], x[0])
	}
	var fromU, fromG int
	for j := range n {
		if u[0][j]*0.999 > float32(math.Abs(float64(g[0][j])))+1e-8 {
			fromU++
		} else {
			fromG++
		}
	}
	if fromU < 8 || fromG < 8 {
		t.Fatalf("u from u·β₂ in %d lanes, from |g| + ε in %d: both sides need testing", fromU, fromG)
	}
	k := AdamaxCoef{B1: 0.9, Omb1: 0.1, B2: 0.999, Eps: 1e-8, NegCLR: -0.002}
	Adamax(p[0], g[0], m[0], u[0], &k)
	adamaxGo(p[1], g[1], m[1], u[1], &k)
	for j := range n {
		if a, b := u[0][j], u[1][j]; math.Float32bits(a) != math.Float32bits(b) && !(a != a && b != b) {
			t.Errorf("element %d: u %v, Go twin %v", j, a, b)
		}
		if (slices.Contains(nanU, j) || slices.Contains(nanG, j)) && u[0][j] == u[0][j] {
			t.Errorf("element %d: u %v, want NaN", j, u[0][j])
		}
	}
}
