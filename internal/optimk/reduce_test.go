package optimk

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// guarded returns n random normal numbers (scaled by scale, made non-negative if abs)
// between two guard bands of 16 NaNs; in returns the inside.
func guarded(r *rand.Rand, n int, scale float64, abs bool) []float32 {
	x := make([]float32, n+32)
	for i := range x {
		x[i] = float32(math.NaN())
	}
	for i := 16; i < n+16; i++ {
		v := r.NormFloat64() * scale
		if abs {
			v = math.Abs(v)
		}
		x[i] = float32(v)
	}
	return x
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }

// sameF64 fails unless a and b have the same bits.
func sameF64(t *testing.T, what string, a, b float64) {
	t.Helper()
	if math.Float64bits(a) != math.Float64bits(b) {
		t.Fatalf("%s: %v (%#016x) vs Go twin %v (%#016x)", what, a, math.Float64bits(a), b, math.Float64bits(b))
	}
}

// twinSum runs a reducing twin over x as the exported kernels do (lanes, then the tree).
func twinSum(f func(acc *[2]lanes)) (float64, float64) {
	var acc [2]lanes
	f(&acc)
	return laneSum(&acc[0]), laneSum(&acc[1])
}

// TestNewKernelsMatchGo checks that the kernels of Lion, the schedule-free methods,
// Prodigy, LAMB, Adafactor and LARS and the reductions (assembly where available, Go twin on the
// tail) compute the same bits as their Go twins alone, for every combination of flags, on
// lengths that exercise the vector body and the tail, inside NaN guard bands; and that the
// reductions are the exactly rounded float64 sums' near neighbours (a check of the lanes'
// bookkeeping, not only of agreement).
func TestNewKernelsMatchGo(t *testing.T) {
	checkImpl(t)
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 15, 16, 17, 33, 1000, 4099} {
		in := func(x []float32) []float32 { return x[16 : n+16] }
		p, g := guarded(r, n, 1, false), guarded(r, n, 1, false)
		m, v := guarded(r, n, 0.1, false), guarded(r, n, 0.01, true)
		tag := func(s string) string { return fmt.Sprintf("n=%d: %s", n, s) }

		// The reductions.
		xx := SumSq(in(g))
		var acc lanes
		sumSqGo(in(g), &acc)
		sameF64(t, tag("SumSq"), xx, laneSum(&acc))
		a2, b2 := SumSq2(in(g), in(p))
		w2, w3 := twinSum(func(acc *[2]lanes) { sumSq2Go(in(g), in(p), acc) })
		sameF64(t, tag("SumSq2 x"), a2, w2)
		sameF64(t, tag("SumSq2 y"), b2, w3)
		sameF64(t, tag("SumSq2 x against SumSq"), a2, xx)
		var exact float64
		for _, x := range in(g) {
			exact += float64(x) * float64(x)
		}
		if math.Abs(xx-exact) > 1e-12*exact {
			t.Fatalf("%s: SumSq %v, the sum in index order %v", tag(""), xx, exact)
		}

		// Lion, with and without weight decay.
		for _, decay := range []float32{1, 0.999} {
			k := LionCoef{Decay: decay, B1: 0.9, Omb1: 0.1, B2: 0.99, Omb2: 0.01, NegLR: -1e-3}
			p1, p2, m1, m2 := clone(p), clone(p), clone(m), clone(m)
			in(m1)[0], in(m2)[0] = 0, 0 // c = 0.1·g: a zero gradient gives sign 0
			gz := clone(g)
			in(gz)[0] = 0
			Lion(in(p1), in(gz), in(m1), &k)
			lionGo(in(p2), in(gz), in(m2), &k)
			what := tag(fmt.Sprintf("lion decay %v", decay))
			same(t, what+" value", p1, p2)
			same(t, what+" m", m1, m2)
		}

		// Schedule-free AdamW (decay at y and at z) and SGD.
		for _, flags := range []uint32{0, ScheduleFreeDecayAtZ} {
			k := ScheduleFreeCoef{NegLR: -0.01, NegLRWD: -1e-4, C: 0.3, Omc: 0.7, B1: 0.9, Omb1: 0.1, B2: 0.999, Omb2: 0.001, Eps: 1e-8, Flags: flags}
			p1, p2, z1, z2, x1, x2, v1, v2 := clone(p), clone(p), clone(m), clone(m), clone(g), clone(g), clone(v), clone(v)
			ScheduleFreeAdamW(in(p1), in(g), in(z1), in(x1), in(v1), &k)
			sfAdamWGo(in(p2), in(g), in(z2), in(x2), in(v2), &k)
			what := tag(fmt.Sprintf("schedule-free adamw flags %b", flags))
			same(t, what+" y", p1, p2)
			same(t, what+" z", z1, z2)
			same(t, what+" x", x1, x2)
			same(t, what+" v", v1, v2)
		}
		{
			k := ScheduleFreeCoef{NegLR: -0.1, WD: 0.01, C: 0.25, Omc: 0.75, B1: 0.9, Omb1: 0.1}
			p1, p2, z1, z2, x1, x2 := clone(p), clone(p), clone(m), clone(m), clone(g), clone(g)
			ScheduleFreeSGD(in(p1), in(g), in(z1), in(x1), &k)
			sfSGDGo(in(p2), in(g), in(z2), in(x2), &k)
			same(t, tag("schedule-free sgd y"), p1, p2)
			same(t, tag("schedule-free sgd z"), z1, z2)
			same(t, tag("schedule-free sgd x"), x1, x2)
		}

		// Prodigy's two passes, every flag.
		for flags := uint32(0); flags < 4; flags++ {
			k := ProdigyCoef{B1: 0.9, C1: 1e-4, B2: 0.999, C2: 1e-9, B3: 0.9995, C3: 3e-3, WD: 0.01, DEps: 1e-12, NegDLRWD: -1e-5, NegDLR: -1e-3, Flags: flags}
			p1, p2, p0 := clone(p), clone(p), clone(g)
			m1, m2, v1, v2, s1, s2 := clone(m), clone(m), clone(v), clone(v), clone(m), clone(m)
			dot, abs := ProdigyGather(in(p1), in(g), in(p0), in(m1), in(v1), in(s1), &k)
			wdot, wabs := twinSum(func(acc *[2]lanes) { prodigyGatherGo(in(p2), in(g), in(p0), in(m2), in(v2), in(s2), &k, acc) })
			what := tag(fmt.Sprintf("prodigy flags %02b", flags))
			sameF64(t, what+" Σ g·(θ₀-θ)", dot, wdot)
			sameF64(t, what+" Σ|s|", abs, wabs)
			same(t, what+" m", m1, m2)
			same(t, what+" v", v1, v2)
			same(t, what+" s", s1, s2)
			ProdigyUpdate(in(p1), in(m1), in(v1), &k)
			prodigyUpdateGo(in(p2), in(m2), in(v2), &k)
			same(t, what+" value", p1, p2)
		}

		// LAMB's two passes, every flag and a trust ratio.
		for flags := uint32(0); flags < 4; flags++ {
			k := LAMBCoef{InvClip: 1 / 1.7, B1: 0.9, Omb1: 0.1, B2: 0.999, Omb2: 0.001, Scale: 0.044 / 0.19, Eps: 1e-6 * 0.044, WD: 0.01, TR: 0.37, NegLR: -1e-3, Flags: flags}
			p1, p2, m1, m2, v1, v2 := clone(p), clone(p), clone(m), clone(m), clone(v), clone(v)
			uu, pp := LAMBGather(in(p1), in(g), in(m1), in(v1), &k)
			wuu, wpp := twinSum(func(acc *[2]lanes) { lambGatherGo(in(p2), in(g), in(m2), in(v2), &k, acc) })
			what := tag(fmt.Sprintf("lamb flags %02b", flags))
			sameF64(t, what+" Σu²", uu, wuu)
			sameF64(t, what+" Σθ²", pp, wpp)
			same(t, what+" m", m1, m2)
			same(t, what+" v", v1, v2)
			LAMBUpdate(in(p1), in(m1), in(v1), &k)
			lambUpdateGo(in(p2), in(m2), in(v2), &k)
			same(t, what+" value", p1, p2)
		}

		// Adafactor's two passes on a vector: both forms of torch's lerp, with and without
		// decay, a zero gradient and a zero moment (the floor ε₁² then decides), and ε₁ = 0
		// on positive moments.
		for _, k := range []AdafactorCoef{
			{W: 0.3, OmW: 0.7, Floor: 0x1p-46, Decay: 1, A: -1e-3},
			{W: 0.9, OmW: 0.1, Floor: 0x1p-46, Decay: 0.999, A: 2e-3, Flags: AdafactorHigh},
			{W: 1, OmW: 0, Floor: 1e-4, Decay: 1, A: -0.5, Flags: AdafactorHigh},
			{W: 0.1, OmW: 0.9, Floor: 0, Decay: 0.99, A: -1e-2},
		} {
			gz, v1, v2, p1, p2 := clone(g), clone(v), clone(v), clone(p), clone(p)
			if k.Floor != 0 && n > 1 {
				in(gz)[n/2], in(v1)[n/2], in(v2)[n/2] = 0, 0, 0
			}
			uu := AdafactorGather(in(gz), in(v1), &k)
			wuu, _ := twinSum(func(acc *[2]lanes) { adafactorGatherGo(in(gz), in(v2), &k, &acc[0]) })
			what := tag(fmt.Sprintf("adafactor %+v", k))
			sameF64(t, what+" ΣU²", uu, wuu)
			same(t, what+" v", v1, v2)
			AdafactorUpdate(in(p1), in(gz), in(v1), &k)
			adafactorUpdateGo(in(p2), in(gz), in(v2), &k)
			same(t, what+" value", p1, p2)
			if math.IsNaN(uu) || math.IsInf(uu, 0) || uu == 0 {
				t.Fatalf("%s: ΣU² = %v proves little", what, uu)
			}
		}

		// LARS, every combination of adapt, momentum, first step and nesterov.
		for flags := uint32(0); flags < 16; flags++ {
			if flags&LARSMomentum == 0 && flags&(LARSFirst|LARSNesterov) != 0 {
				continue
			}
			k := LARSCoef{WD: 0.01, TR: 0.02, Mom: 0.9, Damp1: 0.8, NegLR: -0.5, Flags: flags}
			p1, p2, b1, b2 := clone(p), clone(p), clone(m), clone(m)
			LARS(in(p1), in(g), in(b1), &k)
			larsGo(in(p2), in(g), in(b2), &k)
			what := tag(fmt.Sprintf("lars flags %04b", flags))
			same(t, what+" value", p1, p2)
			same(t, what+" buffer", b1, b2)
			for _, x := range in(p1) {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("%s: non-finite results prove little", what)
				}
			}
		}
	}
}

// TestSumSqLanes checks the lanes themselves, not only their sums, of the kernels of
// SumSq and SumSq2 against the Go twins': each element must add into lane j mod 16, which
// a sum of the lanes can hide when two lanes are exchanged.
func TestSumSqLanes(t *testing.T) {
	checkImpl(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{16, 33, 1000} {
		x, y := make([]float32, n), make([]float32, n)
		for j := range n {
			x[j], y[j] = float32(r.NormFloat64())*float32(j%16+1), float32(r.NormFloat64())*float32(j%16+1)
		}
		var a, b lanes
		sumSq(x, &a)
		sumSqGo(x, &b)
		var a2, b2 [2]lanes
		sumSq2(x, y, &a2)
		sumSq2Go(x, y, &b2)
		for l := range 16 {
			if a[l] != b[l] || a2[0][l] != b2[0][l] || a2[1][l] != b2[1][l] {
				t.Fatalf("n=%d, lane %d: sumSq %v, sumSq2 %v %v; Go twins %v, %v %v", n, l, a[l], a2[0][l], a2[1][l], b[l], b2[0][l], b2[1][l])
			}
		}
	}
}

// TestGatherLanes checks the lanes themselves of the gathering passes of Prodigy, LAMB and
// Adafactor against the Go twins' (the sums of the lanes can hide two lanes exchanged), on
// every option that changes what they add, and that a NaN gradient, or a NaN moment beside
// a finite gradient, reaches Adafactor's moment and lanes as it does in the twin.
func TestGatherLanes(t *testing.T) {
	checkImpl(t)
	r := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{16, 48, 1001} {
		vec := func(scale float64) []float32 {
			x := make([]float32, n)
			for j := range x {
				x[j] = float32(r.NormFloat64() * scale * float64(j%16+1))
			}
			return x
		}
		p, g, p0, m, v, s := vec(1), vec(1), vec(1), vec(0.1), vec(0.1), vec(0.1)
		for j := range v {
			v[j] = float32(math.Abs(float64(v[j])))
		}
		lanesEqual := func(what string, a, b *[2]lanes) {
			t.Helper()
			for h := range 2 {
				for l := range 16 {
					if x, y := a[h][l], b[h][l]; math.Float64bits(x) != math.Float64bits(y) && !(x != x && y != y) {
						t.Fatalf("n=%d, %s: sum %d, lane %d: %v, Go twin %v", n, what, h, l, x, y)
					}
				}
			}
		}
		for _, flags := range []uint32{0, ProdigyCoupled} {
			k := ProdigyCoef{B1: 0.9, C1: 0.1, B2: 0.99, C2: 0.01, B3: 0.95, C3: 0.02, WD: 0.01, Flags: flags}
			var a, b [2]lanes
			p1, p2, m1, m2, v1, v2, s1, s2 := clone(p), clone(p), clone(m), clone(m), clone(v), clone(v), clone(s), clone(s)
			prodigyGather(p1, g, p0, m1, v1, s1, &k, &a)
			prodigyGatherGo(p2, g, p0, m2, v2, s2, &k, &b)
			lanesEqual(fmt.Sprintf("prodigy flags %d", flags), &a, &b)
		}
		for _, flags := range []uint32{0, LAMBClip, LAMBDecay, LAMBClip | LAMBDecay} {
			k := LAMBCoef{InvClip: 0.5, B1: 0.9, Omb1: 0.1, B2: 0.999, Omb2: 0.001, Scale: 2, Eps: 1e-6, WD: 0.01, Flags: flags}
			var a, b [2]lanes
			m1, m2, v1, v2 := clone(m), clone(m), clone(v), clone(v)
			lambGather(p, g, m1, v1, &k, &a)
			lambGatherGo(p, g, m2, v2, &k, &b)
			lanesEqual(fmt.Sprintf("lamb flags %d", flags), &a, &b)
		}
		gn := clone(g)
		gn[n/3] = float32(math.NaN())
		for _, k := range []AdafactorCoef{
			{W: 0.3, OmW: 0.7, Floor: 0x1p-46},
			{W: 0.9, OmW: 0.1, Floor: 0x1p-46, Flags: AdafactorHigh},
		} {
			var a, b [2]lanes
			v1, v2 := clone(v), clone(v)
			if n > 16 {
				v1[n/5], v2[n/5] = float32(math.NaN()), float32(math.NaN())
			}
			adafactorGather(gn, v1, &k, &a[0])
			adafactorGatherGo(gn, v2, &k, &b[0])
			what := fmt.Sprintf("adafactor %+v", k)
			lanesEqual(what, &a, &b)
			if x := a[0][n/3%16]; x == x {
				t.Fatalf("n=%d, %s: lane %d is %v, want NaN from the NaN gradient", n, what, n/3%16, x)
			}
			if x := a[0][n/5%16]; n > 16 && x == x {
				t.Fatalf("n=%d, %s: lane %d is %v, want NaN from the NaN moment", n, what, n/5%16, x)
			}
			for j := range v1 {
				if x, y := v1[j], v2[j]; math.Float32bits(x) != math.Float32bits(y) && !(x != x && y != y) {
					t.Fatalf("n=%d, %s: v[%d] %v, Go twin %v", n, what, j, x, y)
				}
			}
		}
	}
}
